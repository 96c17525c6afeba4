export {
  type ReplayOptions,
  ReplayOptionsSchema,
  type ResolvedReplayOptions,
} from './options';
export { type ReplayDeps, type ReplayedEvent, replay } from './replay';
