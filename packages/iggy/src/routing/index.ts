export {
  DEFAULT_ROUTES,
  DEFAULT_STREAM,
  DLQ_TOPIC,
  DOMAIN_TOPIC,
  type RouteRule,
  Router,
  SYSTEM_TOPIC,
} from './router';
