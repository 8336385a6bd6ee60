import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { VerificationResponse, VerificationStatus, VerificationTrigger } from "../../api/generated";
import { type Message, toMessage } from "../../lib/message";
import { pollIntervalMs } from "../../lib/polling";
import { logKeys } from "../logs/api";

export type { VerificationStatus, VerificationTrigger };

export interface VerifiedId {
  id: string;
  type: string | null;
}

export interface VerificationReport {
  sourceCount: number;
  destinationCount: number;
  missing: number;
  extra: number;
  stale: number;
  pending: number;
  sampled: number;
  valueMismatches: number;
  changedDuringVerification: number;
  clean: boolean;
  missingIds: VerifiedId[];
  extraIds: VerifiedId[];
  staleIds: VerifiedId[];
  mismatches: { id: VerifiedId; columns: { column: string; sourcePath: string; reason: string }[] }[];
  notes: string[];
}

export interface Verification {
  id: number;
  connectorId: number;
  trigger: VerificationTrigger;
  status: VerificationStatus;
  startedAt: Date;
  finishedAt: Date | null;
  phase: string;
  idsCompared: number;
  estimatedTotal: number;
  durationMs: number | null;
  report: VerificationReport | null;
  error: Message | null;
}

const toId = (wire: { id: string; type?: string | null }): VerifiedId => ({ id: wire.id, type: wire.type ?? null });

export function toVerification(wire: VerificationResponse): Verification {
  const r = wire.report;
  return {
    id: wire.id,
    connectorId: wire.connectorId,
    trigger: wire.trigger,
    status: wire.status,
    startedAt: new Date(wire.startedAt),
    finishedAt: wire.finishedAt ? new Date(wire.finishedAt) : null,
    phase: wire.phase,
    idsCompared: wire.idsCompared,
    estimatedTotal: wire.estimatedTotal,
    durationMs: wire.durationMs ?? null,
    report: r
      ? {
          sourceCount: r.sourceCount,
          destinationCount: r.destinationCount,
          missing: r.missing,
          extra: r.extra,
          stale: r.stale,
          pending: r.pending,
          sampled: r.sampled,
          valueMismatches: r.valueMismatches,
          changedDuringVerification: r.changedDuringVerification,
          clean: r.clean,
          missingIds: r.missingIds.map(toId),
          extraIds: r.extraIds.map(toId),
          staleIds: r.staleIds.map(toId),
          mismatches: r.mismatches.map((m) => ({
            id: toId(m.id),
            columns: m.columns.map((c) => ({ column: c.column, sourcePath: c.sourcePath, reason: c.reason })),
          })),
          notes: r.notes,
        }
      : null,
    error: wire.error ? toMessage(wire.error) : null,
  };
}

export const isActive = (v: Verification): boolean => v.status === "queued" || v.status === "running";

export const verificationKeys = {
  all: ["verifications"] as const,
  forConnector: (connectorId: number) => ["verifications", connectorId] as const,
};

export function useVerifications(connectorId: number) {
  return useQuery({
    queryKey: verificationKeys.forConnector(connectorId),
    queryFn: async () => (await api.listVerifications(connectorId, 20)).map(toVerification),
    refetchInterval: pollIntervalMs,
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: verificationKeys.all }),
      queryClient.invalidateQueries({ queryKey: logKeys.all }),
    ]);
}

export function useStartVerification() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (connectorId: number) => toVerification(await api.verifyConnector(connectorId, {})),
    onSettled: () => {
      void invalidate();
    },
  });
}

export function useCancelVerification() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (verificationId: number) => toVerification(await api.cancelVerification(verificationId)),
    onSettled: () => {
      void invalidate();
    },
  });
}
