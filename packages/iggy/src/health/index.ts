export { computeHealth, type GroupLagSummary, type HealthInputs, type LastError } from './health';
