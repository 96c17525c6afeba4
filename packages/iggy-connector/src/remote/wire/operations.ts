import { CommandCode as C, Operation as Op } from './constants';

/** Replicated operation of each command code that has one (spec §3, codes with "→op"). */
const REPLICATED: ReadonlyMap<number, number> = new Map([
  [C.CreateStream, Op.CreateStream],
  [C.UpdateStream, Op.UpdateStream],
  [C.DeleteStream, Op.DeleteStream],
  [C.PurgeStream, Op.PurgeStream],
  [C.CreateTopic, Op.CreateTopic],
  [C.UpdateTopic, Op.UpdateTopic],
  [C.DeleteTopic, Op.DeleteTopic],
  [C.PurgeTopic, Op.PurgeTopic],
  [C.CreatePartitions, Op.CreatePartitions],
  [C.DeletePartitions, Op.DeletePartitions],
  [C.DeleteSegments, Op.DeleteSegments],
  [C.CreateConsumerGroup, Op.CreateConsumerGroup],
  [C.DeleteConsumerGroup, Op.DeleteConsumerGroup],
  [33, Op.CreateUser],
  [34, Op.DeleteUser],
  [35, Op.UpdateUser],
  [36, Op.UpdatePermissions],
  [37, Op.ChangePassword],
  [C.CreatePersonalAccessToken, Op.CreatePersonalAccessToken],
  [C.DeletePersonalAccessToken, Op.DeletePersonalAccessToken],
  [C.JoinConsumerGroup, Op.JoinConsumerGroup],
  [C.LeaveConsumerGroup, Op.LeaveConsumerGroup],
  [C.SendMessages, Op.SendMessages],
  [C.StoreConsumerOffset, Op.StoreConsumerOffset],
  [C.DeleteConsumerOffset, Op.DeleteConsumerOffset],
  [C.LogoutUser, Op.Logout],
  [C.LoginRegister, Op.Register],
  [C.LoginRegisterWithPat, Op.Register],
]);

/** The operation byte for a command code; every code without one is NonReplicated. */
export function operationForCode(code: number): number {
  return REPLICATED.get(code) ?? Op.NonReplicated;
}

/** How a request's id and session are chosen (spec §4). */
export type RequestClass = 'register' | 'non-replicated' | 'partition' | 'metadata';

/** The request class of an operation byte. */
export function requestClass(operation: number): RequestClass {
  if (operation === Op.Register) return 'register';
  if (operation === Op.NonReplicated) return 'non-replicated';
  if (operation >= Op.SendMessages && operation <= Op.DeleteConsumerOffset) return 'partition';
  return 'metadata';
}

/** True for an operation byte a reply may carry (spec §2.5 step 5, 64–127 accepted as internal). */
export function isKnownReplyOperation(operation: number): boolean {
  return (
    (operation >= Op.Register && operation <= Op.Logout) ||
    (operation >= 64 && operation <= Op.LeaveConsumerGroup) ||
    (operation >= Op.SendMessages && operation <= Op.DeleteConsumerOffset)
  );
}

/** True when the reply body of `operation` starts with a result section (spec §3). */
export function isResultFramed(operation: number, bodyLength: number): boolean {
  if (operation === Op.Register) return bodyLength > 0;
  if (operation >= 64 && operation <= 127) return true;
  if (operation >= Op.CreateStream && operation <= Op.LeaveConsumerGroup) {
    return operation !== Op.DeleteSegments;
  }
  return operation === Op.StoreConsumerOffset || operation === Op.DeleteConsumerOffset;
}
