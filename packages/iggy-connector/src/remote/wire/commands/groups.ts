import { type Codec, counted, empty, identifier, name, orNull, struct, u32, u64, untilEnd } from '../codec';
import { CommandCode } from '../constants';
import { custom, defineCommand } from './command';

/** Group header: `[id u32][partitions_count u32][members_count u32][name]`. */
export const groupHeader = struct({ id: u32, partitionsCount: u32, membersCount: u32, name });

/** A decoded group header. */
export type GroupHeader = typeof groupHeader extends Codec<infer T> ? T : never;

const member = struct({ memberId: u32, partitions: counted(u32) });

/** One member of a group and its partitions. */
export type GroupMember = typeof member extends Codec<infer T> ? T : never;

/** A group with its members (GetConsumerGroup / CreateConsumerGroup response). */
export interface GroupDetails {
  group: GroupHeader;
  members: GroupMember[];
}

/** Group header followed by `membersCount` member entries. */
export const groupDetails: Codec<GroupDetails> = custom(
  (w, v) => {
    groupHeader.write(w, { ...v.group, membersCount: v.members.length });
    for (const m of v.members) member.write(w, m);
  },
  (r) => {
    const group = groupHeader.read(r);
    const members: GroupMember[] = [];
    for (let i = 0; i < group.membersCount; i++) members.push(member.read(r));
    return { group, members };
  },
);

const target = struct({ stream: identifier, topic: identifier, group: identifier });

/** CreateConsumerGroup (602 → op 139): `[stream][topic][name]` → the group. */
export const createConsumerGroup = defineCommand(
  'CreateConsumerGroup',
  CommandCode.CreateConsumerGroup,
  struct({ stream: identifier, topic: identifier, name }),
  groupDetails,
);

/** GetConsumerGroup (600): the group with members, or null when it is missing. */
export const getConsumerGroup = defineCommand(
  'GetConsumerGroup',
  CommandCode.GetConsumerGroup,
  target,
  orNull(groupDetails),
);

/** GetConsumerGroups (601): group headers back-to-back. */
export const getConsumerGroups = defineCommand(
  'GetConsumerGroups',
  CommandCode.GetConsumerGroups,
  struct({ stream: identifier, topic: identifier }),
  untilEnd(groupHeader),
);

/** JoinConsumerGroup (604 → op 148): joins as this session's client id; empty response. */
export const joinConsumerGroup = defineCommand('JoinConsumerGroup', CommandCode.JoinConsumerGroup, target, empty);

/** LeaveConsumerGroup (605 → op 149): empty response. */
export const leaveConsumerGroup = defineCommand('LeaveConsumerGroup', CommandCode.LeaveConsumerGroup, target, empty);

/** DeleteConsumerGroup (603 → op 140): empty response. */
export const deleteConsumerGroup = defineCommand(
  'DeleteConsumerGroup',
  CommandCode.DeleteConsumerGroup,
  target,
  empty,
);

const syncReply = struct({ generation: u64, partitions: counted(u32) });

/** The caller's pollable partitions and the group generation. */
export type GroupSync = typeof syncReply extends Codec<infer T> ? T : never;

/** SyncConsumerGroup (606): the caller's assignment, or null when it is not a member. */
export const syncConsumerGroup = defineCommand(
  'SyncConsumerGroup',
  CommandCode.SyncConsumerGroup,
  target,
  orNull(syncReply),
);
