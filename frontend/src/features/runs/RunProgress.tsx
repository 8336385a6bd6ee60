import { formatCount, formatRate } from "../../lib/format";
import type { Run } from "./api";

/** A run that is going: a bar against the collection's estimated size when it reads all of it, and its numbers so far. */
export function RunProgress({ run, compact = false }: { run: Run; compact?: boolean }) {
  const percent = run.progress === null ? null : Math.floor(run.progress * 1000) / 10;
  const read = `${formatCount(run.rowsRead)}${run.estimatedRows === null ? "" : ` of ~${formatCount(run.estimatedRows)}`} read`;
  return (
    <div className={`run-progress${compact ? " run-progress-compact" : ""}`} data-testid="run-progress" data-run={run.id}>
      {percent !== null && (
        <div
          className="progress"
          role="progressbar"
          aria-label={`Run ${run.id} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={`${percent}%, ${read}`}
        >
          <div className="progress-bar" style={{ width: `${percent}%` }} />
        </div>
      )}
      <p className="small muted run-progress-numbers">
        {run.status === "queued" ? (
          "Waiting for a free slot…"
        ) : (
          <>
            {percent !== null && <span className="strong">{percent}% </span>}
            {read} · {formatCount(run.rowsWritten)} written
            {run.rowsPerSecond !== null && <> · {formatRate(run.rowsPerSecond)} rows/s</>}
          </>
        )}
      </p>
    </div>
  );
}
