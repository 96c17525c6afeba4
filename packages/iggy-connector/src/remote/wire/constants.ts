/** Size of every frame header (request, reply, eviction), in bytes. */
export const HEADER_SIZE = 256;

/** Default largest frame (header + body) accepted in either direction: 64 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Header byte 60: the kind of frame. */
export const FrameCommand = {
  Request: 5,
  Reply: 8,
  Eviction: 13,
} as const;

/** Byte offsets inside the 256-byte headers (spec §2). */
export const HeaderOffset = {
  size: 48,
  command: 60,
  // request header (client → server)
  requestClient: 128,
  requestChecksum: 144,
  requestTimestamp: 160,
  requestId: 168,
  requestOperation: 176,
  requestSession: 184,
  requestUserId: 192,
  requestCode: 196,
  // reply header (server → client)
  replyRequestChecksum: 128,
  replyContext: 144,
  replyClient: 160,
  replyOp: 176,
  replyCommit: 184,
  replyTimestamp: 192,
  replyRequestId: 200,
  replyOperation: 208,
  replyStatus: 216,
  // eviction header (server → client)
  evictionClient: 128,
  evictionServerProtocol: 144,
  evictionServerProtocolMin: 148,
  evictionReason: 255,
} as const;

/** The `Operation` byte (request 176, reply 208). */
export const Operation = {
  Reserved: 0,
  Register: 1,
  NonReplicated: 2,
  Logout: 3,
  CreateTopicWithAssignments: 64,
  CreatePartitionsWithAssignments: 65,
  CreateStream: 128,
  UpdateStream: 129,
  DeleteStream: 130,
  PurgeStream: 131,
  CreateTopic: 132,
  UpdateTopic: 133,
  DeleteTopic: 134,
  PurgeTopic: 135,
  CreatePartitions: 136,
  DeletePartitions: 137,
  DeleteSegments: 138,
  CreateConsumerGroup: 139,
  DeleteConsumerGroup: 140,
  CreateUser: 141,
  UpdateUser: 142,
  DeleteUser: 143,
  ChangePassword: 144,
  UpdatePermissions: 145,
  CreatePersonalAccessToken: 146,
  DeletePersonalAccessToken: 147,
  JoinConsumerGroup: 148,
  LeaveConsumerGroup: 149,
  SendMessages: 160,
  StoreConsumerOffset: 161,
  DeleteConsumerOffset: 162,
} as const;

/** Command codes (u32) of the commands this client uses, plus a few neighbours (spec §3). */
export const CommandCode = {
  Ping: 1,
  GetStats: 10,
  GetSnapshot: 11,
  GetClusterMetadata: 12,
  GetMe: 20,
  GetClient: 21,
  GetClients: 22,
  LoginUser: 38,
  LogoutUser: 39,
  LoginRegister: 40,
  GetPersonalAccessTokens: 41,
  CreatePersonalAccessToken: 42,
  DeletePersonalAccessToken: 43,
  LoginWithPersonalAccessToken: 44,
  LoginRegisterWithPat: 45,
  PollMessages: 100,
  SendMessages: 101,
  FlushUnsavedBuffer: 102,
  GetConsumerOffset: 120,
  StoreConsumerOffset: 121,
  DeleteConsumerOffset: 122,
  GetStream: 200,
  GetStreams: 201,
  CreateStream: 202,
  DeleteStream: 203,
  UpdateStream: 204,
  PurgeStream: 205,
  GetTopic: 300,
  GetTopics: 301,
  CreateTopic: 302,
  DeleteTopic: 303,
  UpdateTopic: 304,
  PurgeTopic: 305,
  CreatePartitions: 402,
  DeletePartitions: 403,
  DeleteSegments: 503,
  GetConsumerGroup: 600,
  GetConsumerGroups: 601,
  CreateConsumerGroup: 602,
  DeleteConsumerGroup: 603,
  JoinConsumerGroup: 604,
  LeaveConsumerGroup: 605,
  SyncConsumerGroup: 606,
} as const;

/** Partition id the server puts in an empty group poll when the caller does not own it. */
export const NOT_OWNED_PARTITION = 0xffff_ffff;

/** Largest u64, Iggy's "never" / "unlimited" marker for expiry and size. */
export const U64_MAX = (1n << 64n) - 1n;
