import type { Badge } from "../features/connectors/status";

export function StatusBadge({ badge }: { badge: Badge }) {
  return (
    <span className={`badge badge-${badge.kind}`} title={badge.description} data-status={badge.kind}>
      {badge.label}
    </span>
  );
}
