import { useState } from "react";
import { formatRate } from "../../lib/format";
import type { Connector } from "./api";
import { formatLag } from "./status";

interface Sample {
  updatedAt: number;
  runId: number;
  rows: number;
  rate: number | null;
}

/**
 * The stream's rows per second between two refreshes of the connector (its running run's rows written grow with each
 * micro-batch), from the times the data arrived (`updatedAt`); null until two refreshes of one run were seen.
 */
function useStreamRate(connector: Connector, updatedAt: number): number | null {
  const [sample, setSample] = useState<Sample | null>(null);
  const run = connector.running ? connector.lastResult : null;
  if (run === null) {
    if (sample !== null) setSample(null);
    return null;
  }

  if (sample?.runId !== run.id) {
    setSample({ updatedAt, runId: run.id, rows: run.rowsWritten, rate: null });
  } else if (updatedAt > sample.updatedAt) {
    // Adjusted while rendering new data (React's way to keep what earlier renders saw).
    setSample({ updatedAt, runId: run.id, rows: run.rowsWritten, rate: ((run.rowsWritten - sample.rows) * 1000) / (updatedAt - sample.updatedAt) });
  }

  return sample?.rate ?? null;
}

export function StreamSummary({ connector, updatedAt }: { connector: Connector; updatedAt: number }) {
  const rate = useStreamRate(connector, updatedAt);
  return (
    <div>
      <dt>Stream</dt>
      <dd data-testid="stream-lag">
        {formatLag(connector)}
        {connector.lag !== null && <> · {formatRate(rate)} rows/s</>}
      </dd>
    </div>
  );
}
