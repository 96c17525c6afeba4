/** Package version marker; the outbox lands with its issue. */
export const OUTBOX_PACKAGE = '@rustok/outbox';
