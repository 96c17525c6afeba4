/** Package version marker; the transport lands with its issue. */
export const IGGY_PACKAGE = '@rustok/iggy';
