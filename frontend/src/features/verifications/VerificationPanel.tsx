import { errorMessage } from "../../api/problem";
import { MessageText } from "../../components/MessageText";
import { QueryError } from "../../components/QueryError";
import { formatCount, formatDuration, formatRunTime } from "../../lib/format";
import { isActive, useCancelVerification, useStartVerification, useVerifications, type Verification, type VerificationReport, type VerifiedId } from "./api";

/** The Verify button, the running verification's progress (with Cancel) and the latest result; the history below it. */
export function VerificationPanel({ connectorId }: { connectorId: number }) {
  const verifications = useVerifications(connectorId);
  const start = useStartVerification();
  const cancel = useCancelVerification();
  const list = verifications.data ?? [];
  const running = list.find(isActive);
  const latest = list.find((v) => !isActive(v));

  return (
    <section aria-labelledby="verify-title" className="verification">
      <header className="section-header">
        <h2 id="verify-title">Verification</h2>
        <div className="actions">
          {running ? (
            <button type="button" className="button" disabled={cancel.isPending} onClick={() => { cancel.mutate(running.id); }}>
              Cancel verification
            </button>
          ) : (
            <button type="button" className="button" disabled={start.isPending} onClick={() => { start.mutate(connectorId); }}>
              Verify
            </button>
          )}
        </div>
      </header>
      <p className="muted">
        Compares every <code>_id</code> of the collection with the table, checks that rows are as fresh as their documents, and compares every column
        of a random sample — reading MongoDB at a bounded rate, never holding up a sync.
      </p>
      {start.isError && <p className="alert alert-error" role="alert">{errorMessage(start.error)}</p>}
      {cancel.isError && <p className="alert alert-error" role="alert">{errorMessage(cancel.error)}</p>}
      {verifications.isError && <QueryError error={verifications.error} what="the verifications" />}
      {running && <Progress verification={running} />}
      {latest && <Result verification={latest} />}
      {list.length > 0 && <History verifications={list} />}
    </section>
  );
}

function Progress({ verification: v }: { verification: Verification }) {
  const total = Math.max(v.estimatedTotal, v.idsCompared);
  const what = v.status === "queued" ? "Waiting for a verification slot…" : v.phase === "sample" ? "Comparing the values of a sample…" : `Comparing ids: ${formatCount(v.idsCompared)} of about ${formatCount(total)}`;
  return (
    <div className="verification-progress" data-testid="verification-progress" data-status={v.status}>
      <progress max={total > 0 ? total : 1} value={v.idsCompared} aria-label="Ids compared" /> <span>{what}</span>
    </div>
  );
}

function Result({ verification: v }: { verification: Verification }) {
  const r = v.report;
  if (v.status !== "succeeded" || r === null) {
    return (
      <div className="alert alert-error" data-testid="verification-result" data-clean="false">
        Verification {v.id} {v.status}
        {v.error && (
          <>
            : <MessageText message={v.error} />
          </>
        )}
      </div>
    );
  }

  return (
    <div className={`alert ${r.clean ? "alert-ok" : "alert-error"}`} data-testid="verification-result" data-clean={String(r.clean)}>
      <p>
        <strong>{r.clean ? "The table equals the collection." : "The table differs from the collection."}</strong> {formatCount(r.sourceCount)} documents,{" "}
        {formatCount(r.destinationCount)} rows, {formatCount(r.sampled)} sampled, verified {formatRunTime(v.finishedAt ?? v.startedAt)} in {formatDuration(v.durationMs)}.
        {r.pending > 0 && ` ${formatCount(r.pending)} pending (the next run copies them).`}
      </p>
      {!r.clean && <Differences report={r} />}
    </div>
  );
}

function Differences({ report: r }: { report: VerificationReport }) {
  return (
    <>
      <dl className="verification-counts">
        <Count label="Missing rows" value={r.missing} ids={r.missingIds} />
        <Count label="Extra rows" value={r.extra} ids={r.extraIds} />
        <Count label="Stale rows" value={r.stale} ids={r.staleIds} />
        <div data-kind="values">
          <dt>Differing values</dt>
          <dd>
            {formatCount(r.valueMismatches)} of {formatCount(r.sampled)} sampled
            {r.mismatches.length > 0 && (
              <ul className="mono">
                {r.mismatches.map((m) => (
                  <li key={m.id.id}>
                    {m.id.id}: {m.columns.map((c) => `${c.sourcePath} (${c.reason})`).join(", ")}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
      {r.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
    </>
  );
}

function Count({ label, value, ids }: { label: string; value: number; ids: VerifiedId[] }) {
  return (
    <div data-kind={label}>
      <dt>{label}</dt>
      <dd>
        <span data-testid={`count-${label}`}>{formatCount(value)}</span>
        {ids.length > 0 && (
          <span className="mono">
            : {ids.map((i) => i.id).join(", ")}
            {value > ids.length ? ", …" : ""}
          </span>
        )}
      </dd>
    </div>
  );
}

function History({ verifications }: { verifications: Verification[] }) {
  return (
    <table className="table table-cards" aria-label="Verification history">
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Trigger</th>
          <th scope="col">Started</th>
          <th scope="col" className="num">Duration</th>
          <th scope="col" className="num">Documents</th>
          <th scope="col" className="num">Missing</th>
          <th scope="col" className="num">Extra</th>
          <th scope="col" className="num">Stale</th>
          <th scope="col" className="num">Values</th>
        </tr>
      </thead>
      <tbody>
        {verifications.map((v) => (
          <tr key={v.id} data-verification={v.id} data-status={v.status} data-clean={String(v.report?.clean ?? false)}>
            <td data-label="Status">{v.status === "succeeded" ? (v.report?.clean ? "clean" : "differences") : v.status}</td>
            <td data-label="Trigger">{v.trigger}</td>
            <td data-label="Started" className="nowrap">{formatRunTime(v.startedAt)}</td>
            <td data-label="Duration" className="num">{formatDuration(v.durationMs)}</td>
            <td data-label="Documents" className="num">{v.report ? formatCount(v.report.sourceCount) : "—"}</td>
            <td data-label="Missing" className="num">{v.report ? formatCount(v.report.missing) : "—"}</td>
            <td data-label="Extra" className="num">{v.report ? formatCount(v.report.extra) : "—"}</td>
            <td data-label="Stale" className="num">{v.report ? formatCount(v.report.stale) : "—"}</td>
            <td data-label="Values" className="num">{v.report ? formatCount(v.report.valueMismatches) : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
