import type { HealthStatus, TransportHealth } from '@rustok/core';
import type { ConnectorHealth, IggyConnector } from '@rustok/iggy-connector';
import type { TopologyReport } from '../topology/topology';

/** The last error the transport saw, kept for health reports. */
export interface LastError {
  code: string;
  message: string;
  at: Date;
}

/** Lag of one live group, as health reports it (bigints as decimal strings for JSON). */
export interface GroupLagSummary {
  total: string;
  topics: { topic: string; total: string; partitions: { partition: number; lag: string }[] }[];
}

/** What `computeHealth` reads from the transport. */
export interface HealthInputs {
  connector: IggyConnector;
  closed: boolean;
  topology: TopologyReport | undefined;
  lastError: LastError | undefined;
  /** Lag of each group with a live subscription; an error for a group whose lag failed. */
  groupLags(): Promise<Record<string, GroupLagSummary | { error: string }>>;
  /** A transport error younger than this degrades health (default 60 s). */
  recentErrorMs?: number;
  now?: Date;
}

function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  const rank: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
  return rank[a] >= rank[b] ? a : b;
}

async function connectorHealth(connector: IggyConnector): Promise<ConnectorHealth> {
  try {
    return await connector.health();
  } catch (error) {
    return {
      status: 'unhealthy',
      mode: connector.mode,
      connected: false,
      problems: [{ code: 'HEALTH_FAILED', message: String(error) }],
    };
  }
}

/**
 * Builds the transport's health: `unhealthy` when closed, disconnected or the connector is
 * unhealthy; `degraded` on connector problems, a topology mismatch in use, a recent error or a
 * failing lag check; else `healthy`. Details: mode, connection, server version, topology, last
 * error and per-group lag.
 */
export async function computeHealth(inputs: HealthInputs): Promise<TransportHealth> {
  const now = inputs.now ?? new Date();
  let status: HealthStatus = 'healthy';
  const reasons: string[] = [];
  const connector = await connectorHealth(inputs.connector);
  if (inputs.closed) {
    status = 'unhealthy';
    reasons.push('transport closed');
  } else if (!connector.connected || connector.status === 'unhealthy') {
    status = 'unhealthy';
    reasons.push(connector.connected ? 'connector unhealthy' : 'not connected');
  } else if (connector.status === 'degraded' || connector.problems.length > 0) {
    status = worst(status, 'degraded');
    reasons.push('connector reports problems');
  }
  if (inputs.topology === undefined) {
    status = worst(status, 'unhealthy');
    reasons.push('topology not checked');
  } else if (inputs.topology.mismatches.length > 0) {
    status = worst(status, 'degraded');
    reasons.push(`partition count differs from configuration: ${inputs.topology.mismatches.join(', ')}`);
  }
  const lastError = inputs.lastError ?? connector.lastError;
  if (lastError && now.getTime() - lastError.at.getTime() < (inputs.recentErrorMs ?? 60_000)) {
    status = worst(status, 'degraded');
    reasons.push(`recent error ${lastError.code}`);
  }
  let groups: Record<string, GroupLagSummary | { error: string }> = {};
  if (!inputs.closed && connector.connected) {
    groups = await inputs.groupLags();
    if (Object.values(groups).some((g) => 'error' in g)) {
      status = worst(status, 'degraded');
      reasons.push('lag check failed');
    }
  }
  return {
    status,
    reliability: 'streaming',
    details: {
      mode: connector.mode,
      connection: {
        connected: connector.connected,
        status: connector.status,
        ...(connector.location === undefined ? {} : { location: connector.location }),
        ...(connector.protocol === undefined ? {} : { protocol: connector.protocol }),
      },
      serverVersion: connector.serverVersion ?? null,
      topology: inputs.topology
        ? {
            stream: inputs.topology.stream,
            ok: inputs.topology.mismatches.length === 0,
            mismatches: inputs.topology.mismatches,
            topics: inputs.topology.topics,
            checkedAt: inputs.topology.checkedAt.toISOString(),
          }
        : null,
      problems: connector.problems,
      lastError: lastError
        ? { code: lastError.code, message: lastError.message, at: lastError.at.toISOString() }
        : null,
      groups,
      reasons,
    },
  };
}
