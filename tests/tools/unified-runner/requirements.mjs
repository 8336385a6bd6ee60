// Whether a test's runOnRequirements hold for the server under test (unified test format, "runOnRequirement").
import { match, safe } from './match.mjs';

export const versionParts = (v) => String(v).split('.').slice(0, 3).map((n) => Number.parseInt(n, 10) || 0).concat([0, 0, 0]).slice(0, 3);
export function compareVersions(a, b) {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

export class Requirements {
  /** @param internal a connected MongoClient; server: { version, topology }. */
  constructor(internal, server) {
    this.internal = internal;
    this.server = server;
    this.parameters = new Map();
  }

  async unmetRequirement(requirements) {
    if (!requirements) return null;
    const reasons = [];
    for (const r of requirements) {
      const reason = await this.unmet(r);
      if (!reason) return null;
      reasons.push(reason);
    }
    return reasons.join('; ');
  }

  async unmet(r) {
    const { version, topology } = this.server;
    if (r.minServerVersion && compareVersions(version, r.minServerVersion) < 0) return `needs server >= ${r.minServerVersion}`;
    if (r.maxServerVersion && compareVersions(version, r.maxServerVersion) > 0) return `needs server <= ${r.maxServerVersion}`;
    if (r.topologies && !r.topologies.includes(topology)) return `needs topology ${r.topologies.join('/')}`;
    if (r.serverless === 'require') return 'needs serverless';
    if (r.auth === true || r.authMechanism) return 'needs authentication';
    if (r.csfle) return 'needs client-side encryption';
    for (const [name, expected] of Object.entries(r.serverParameters ?? {})) {
      const actual = await this.parameter(name);
      try {
        match(expected, actual, { root: false });
      } catch {
        return `needs server parameter ${name}=${safe(expected)} (is ${safe(actual)})`;
      }
    }
    return null;
  }

  async parameter(name) {
    if (!this.parameters.has(name)) {
      const value = await this.internal.db('admin').command({ getParameter: 1, [name]: 1 }).then((r) => r[name], () => undefined);
      this.parameters.set(name, value);
    }
    return this.parameters.get(name);
  }
}
