------------------------------ MODULE DistCap ---------------------------------
(***************************************************************************)
(* The distributed capability protocol of a Barrelfish-style multikernel.  *)
(*                                                                         *)
(* Every core runs its own kernel, with its own capability database, and a *)
(* user-level monitor.  An operation the kernel cannot complete alone (it  *)
(* answers SYS_ERR_RETRY_THROUGH_MONITOR) is completed by the monitor,     *)
(* which exchanges messages with the other cores' monitors.  Each          *)
(* capability has an owner core; every copy records the owner and three    *)
(* remote-relation bits saying whether copies, descendants or ancestors    *)
(* may exist on other cores.  The protocols are those of Barrelfish's      *)
(* monitor (usr/monitor/capops/*.c) and of the students' report            *)
(* (seeds/001, section 9):                                                 *)
(*                                                                         *)
(*   - cross-core transfer of a copy                   (capops/copy.c)     *)
(*   - deletion of the last local copy:                                    *)
(*       foreign copy  -> delete it and notify the owner (report 9.4)      *)
(*       moveable type -> find a core with a copy and move ownership there *)
(*                        (capops/delete.c, capsend.c, move.c)             *)
(*       other types   -> delete every remote copy     (capops/delete.c)   *)
(*   - revoke: mark locally, delete on the other cores, sweep, complete    *)
(*                                                     (capops/revoke.c)   *)
(*   - retype of a shared capability: ask every other core whether it      *)
(*     holds a descendant overlapping the new object   (capops/retype.c)   *)
(*   - a lock per capability, held while one of these protocols runs       *)
(*                                                     (capops/caplock.c)  *)
(*                                                                         *)
(* What is abstracted away:                                                *)
(*   - Capabilities are a few fixed memory objects (the Catalogue) over    *)
(*     two units of memory, with one level of derivation.  Copies on one   *)
(*     core are indistinguishable, so a core holds a count of copies;      *)
(*     CSpaces, slots, rights and mappings are not modelled.               *)
(*   - Messages travel on one FIFO channel per ordered pair of cores, as   *)
(*     on Barrelfish's intermonitor bindings; none is lost.                *)
(*   - Each monitor runs at most one protocol of its own at a time; it     *)
(*     answers the other monitors' requests at any time.                   *)
(*   - The lock is one variable per capability, taken in one step.  In     *)
(*     Barrelfish it is the `locked' flag on the owner's copies, and a     *)
(*     non-owner's request first goes to the owner (capsend_owner); the    *)
(*     model collapses that round trip.  A capability is busy while it     *)
(*     or a relative (ancestor or descendant) is locked; this stands for   *)
(*     Barrelfish's `locked' flag and revoke's `in_delete' marks           *)
(*     (distcap_state_is_busy).  Kernel and monitors refuse busy ones.     *)
(*   - Revoke is started by the owner.  A non-owner first retrieves        *)
(*     ownership in Barrelfish (capops/retrieve.c), which is not modelled. *)
(*                                                                         *)
(* The constant LockedOps names the protocols that take the lock.  With    *)
(* all four, every invariant below holds; the configurations that leave    *)
(* some out show what each lock is for (docs/proofs/why-the-locks.md).     *)
(***************************************************************************)
EXTENDS Naturals, Sequences, TLC

CONSTANTS
  Core,       \* the cores (model values); each has a kernel and a monitor
  NoCore,     \* a model value that is not a core: "no owner", "unlocked"
  Object,     \* the capabilities tracked: a subset of DOMAIN Catalogue
  MaxCopies,  \* the most copies of one capability a core holds
  LockedOps   \* the protocols that take the capability's lock

-----------------------------------------------------------------------------
(***************************************************************************)
(* The capability catalogue.  Two units of memory (think of two pages)     *)
(* back everything.  RAM covers both; it can be retyped into a Frame over  *)
(* both units, an L2CNode over unit 0, or a Frame over unit 1.  Frame01    *)
(* overlaps the other two, so it must never coexist with either: that is   *)
(* what the retype check is for.  As in Barrelfish, relations are          *)
(* structural: copies have the same name, a descendant names its parent.   *)
(***************************************************************************)
Catalogue ==
  [ RAM     |-> [type |-> "RAM",     region |-> {0, 1}, parent |-> "none"],
    Frame01 |-> [type |-> "Frame",   region |-> {0, 1}, parent |-> "RAM"],
    CNode0  |-> [type |-> "L2CNode", region |-> {0},    parent |-> "RAM"],
    Frame1  |-> [type |-> "Frame",   region |-> {1},    parent |-> "RAM"] ]

Root == "RAM"   \* the capability the system boots with

ASSUME /\ Object \subseteq DOMAIN Catalogue
       /\ Root \in Object
       /\ \A o \in Object : Catalogue[o].parent \in Object \cup {"none"}
       /\ MaxCopies \in Nat /\ MaxCopies > 0
       /\ LockedOps \subseteq {"send", "delete", "revoke", "retype"}
       /\ NoCore \notin Core

Region(o) == Catalogue[o].region
Unit == UNION {Region(o) : o \in Object}

RECURSIVE AncestorsOf(_)
AncestorsOf(o) ==
  IF Catalogue[o].parent = "none" THEN {}
  ELSE {Catalogue[o].parent} \cup AncestorsOf(Catalogue[o].parent)

(***************************************************************************)
(* The relations depend on constants only; they are tabulated once         *)
(* because the actions consult them in every state.                        *)
(***************************************************************************)
AncTable == [o \in Object |-> AncestorsOf(o) \cap Object]
DescTable == [o \in Object |-> {d \in Object : o \in AncTable[d]}]
ChildTable == [o \in Object |-> {d \in Object : Catalogue[d].parent = o}]
FamilyTable == [o \in Object |-> {o} \cup AncTable[o] \cup DescTable[o]]

Anc(o) == AncTable[o]          \* the ancestors of o
Desc(o) == DescTable[o]        \* the descendants of o
Children(o) == ChildTable[o]   \* what o can be retyped into
Family(o) == FamilyTable[o]    \* o and its relatives
Overlap(o1, o2) == Region(o1) \cap Region(o2) # {}

(***************************************************************************)
(* distcap_is_moveable: only PhysAddr, RAM, Frame and EndPointUMP may      *)
(* change owner.  RAM-backed types give their memory back to the memory    *)
(* server when their last copy goes (kernel/cap_delete.c, cleanup_last).   *)
(***************************************************************************)
Moveable(o) == Catalogue[o].type \in {"RAM", "Frame"}
RamBacked(o) == Catalogue[o].type \in {"RAM", "Frame", "L2CNode"}

-----------------------------------------------------------------------------
VARIABLES
  caps,        \* caps[p][o]: p's copies of o: how many, and the metadata
               \* they share (owner; remote copies, descendants, ancestors)
  lockedBy,    \* lockedBy[o]: the core whose protocol holds o's lock
  chan,        \* chan[p][q]: the FIFO queue of messages from p to q
  op,          \* op[p]: the protocol p's monitor is running
  returned,    \* returned[u]: how often unit u went back to the memory server
  justRevoked  \* history: {<<p, o>>} in the state right after p completed
               \* a revoke of o, {} in every other state

vars == <<caps, lockedBy, chan, op, returned, justRevoked>>

(***************************************************************************)
(* The metadata of a core's copies of one capability.  Barrelfish keeps it *)
(* in every cte of the copy-run (mdbnode.owner, remote_copies,             *)
(* remote_descs, remote_ancs) and keeps it equal across the run.  A core   *)
(* with no copy has the canonical Empty entry.                             *)
(***************************************************************************)
Empty == [count |-> 0, owner |-> NoCore,
          rcopies |-> FALSE, rdescs |-> FALSE, rancs |-> FALSE]

CteState == [count : 0..MaxCopies, owner : Core \cup {NoCore},
             rcopies : BOOLEAN, rdescs : BOOLEAN, rancs : BOOLEAN]

(***************************************************************************)
(* A monitor's protocol: what it runs, and from which cores it still       *)
(* awaits an answer.                                                       *)
(***************************************************************************)
Idle == [kind |-> "idle"]

OpState ==
       {Idle}
  \cup [kind : {"send", "notify", "revoke"}, obj : Object,
        waiting : SUBSET Core]
  \cup [kind : {"delete"}, phase : {"find"}, obj : Object,
        waiting : SUBSET Core, found : SUBSET Core]
  \cup [kind : {"delete"}, phase : {"move"}, obj : Object, to : Core,
        waiting : SUBSET Core, ok : BOOLEAN]
  \cup [kind : {"delete"}, phase : {"remote"}, obj : Object,
        waiting : SUBSET Core]
  \cup [kind : {"retype"}, obj : Object, new : Object,
        waiting : SUBSET Core, ok : BOOLEAN]

(***************************************************************************)
(* The intermonitor messages, named after Barrelfish's capops messages     *)
(* (if/intermon.if), plus the students' notify_deleted.                    *)
(***************************************************************************)
Ack == {"recv_copy_result", "notify_ack", "owner_updated",
        "delete_remote_result", "revoke_done"}
Answer == Ack \cup {"find_cap_result", "move_result", "check_retypeable_result"}

Message ==
       [type : {"recv_copy"}, obj : Object, owner : Core,
        rdescs : BOOLEAN, rancs : BOOLEAN]
  \cup [type : {"move_request"}, obj : Object, rdescs : BOOLEAN,
        rancs : BOOLEAN]
  \cup [type : {"update_owner"}, obj : Object, owner : Core]
  \cup [type : {"notify_deleted", "find_cap", "delete_remote",
                "revoke_mark"}, obj : Object]
  \cup [type : {"check_retypeable"}, obj : Object, new : Object]
  \cup [type : Ack, obj : Object]
  \cup [type : {"find_cap_result"}, obj : Object, found : BOOLEAN]
  \cup [type : {"move_result", "check_retypeable_result"}, obj : Object,
        ok : BOOLEAN]

TypeOK ==
  /\ caps \in [Core -> [Object -> CteState]]
  /\ \A p \in Core, o \in Object :
        (caps[p][o].count = 0) <=> (caps[p][o] = Empty)
  /\ lockedBy \in [Object -> Core \cup {NoCore}]
  /\ chan \in [Core -> [Core -> Seq(Message)]]
  /\ \A p \in Core : chan[p][p] = <<>>
  /\ op \in [Core -> OpState]
  /\ returned \in [Unit -> Nat]
  /\ justRevoked \subseteq Core \X Object

-----------------------------------------------------------------------------
(***************************************************************************)
(* Helpers.                                                                *)
(***************************************************************************)
Has(p, o) == caps[p][o].count > 0
Holders(o) == {p \in Core : Has(p, o)}
HasLocalDesc(p, o) == \E d \in Desc(o) : Has(p, d)
HasLocalAnc(p, o) == \E a \in Anc(o) : Has(p, a)
Owner(p, o) == caps[p][o].owner
Others(p) == Core \ {p}

\* p's descendants of o that overlap the object d (the retype check).
OverlappingDesc(p, o, d) == \E x \in Desc(o) : Has(p, x) /\ Overlap(x, d)

\* The kernel and the monitors refuse a capability that is busy.
Busy(o) == \E r \in Family(o) : lockedBy[r] # NoCore
\* A protocol that takes the lock waits until the capability is not busy.
MayStart(kind, o) == kind \notin LockedOps \/ ~Busy(o)
TakeLock(kind, p, o) ==
  lockedBy' = IF kind \in LockedOps THEN [lockedBy EXCEPT ![o] = p]
                                    ELSE lockedBy
ReleaseLock(p, o) ==
  lockedBy' = IF lockedBy[o] = p THEN [lockedBy EXCEPT ![o] = NoCore]
                                 ELSE lockedBy

\* Queue message m from p to q.
Send(p, q, m) == chan' = [chan EXCEPT ![p][q] = Append(@, m)]
\* Queue msg[r] from p to every other core r.
Multicast(p, msg) ==
  chan' = [chan EXCEPT ![p] = [r \in Core |->
             IF r = p THEN <<>> ELSE Append(chan[p][r], msg[r])]]
\* Take the head of the queue from q to p, and answer it with m.
Reply(q, p, m) ==
  chan' = [chan EXCEPT ![q][p] = Tail(@), ![p][q] = Append(@, m)]
\* Take the head of the queue from q to p.
Consume(q, p) == chan' = [chan EXCEPT ![q][p] = Tail(@)]

(***************************************************************************)
(* Removing one copy of o from a core's row of copies                      *)
(* (kernel/cap_delete.c, cleanup_copy).                                    *)
(***************************************************************************)
DropCopy(row, o) ==
  LET e == row[o]
  IN  [row EXCEPT ![o] = IF e.count > 1 THEN [e EXCEPT !.count = e.count - 1]
                                        ELSE Empty]

(***************************************************************************)
(* Removing the last copy of o in the whole system (cleanup_last).  The    *)
(* memory goes back to the memory server if o is RAM-backed and has        *)
(* neither ancestors nor descendants.  Barrelfish's kernel looks only at   *)
(* its local database (has_ancestors, has_descendants); the model also     *)
(* looks at the remote-relation bits, which is sound because the bits      *)
(* never claim less than exists (RemoteRelationsSound).                    *)
(***************************************************************************)
Reclaimable(row, o) ==
  /\ RamBacked(o)
  /\ row[o].count = 1
  /\ \A r \in Family(o) \ {o} : row[r].count = 0
  /\ ~row[o].rdescs /\ ~row[o].rancs

\* p's row of copies becomes row, then p's last copy of o goes.
CleanupLast(p, row, o) ==
  /\ caps' = [caps EXCEPT ![p] = DropCopy(row, o)]
  /\ returned' = [u \in Unit |->
                    IF Reclaimable(row, o) /\ u \in Region(o)
                    THEN returned[u] + 1 ELSE returned[u]]

-----------------------------------------------------------------------------
Init ==
  (*************************************************************************)
  (* Boot: one core holds the only copy of the RAM capability and owns it. *)
  (*************************************************************************)
  \E boot \in Core :
    /\ caps = [p \in Core |-> [o \in Object |->
                 IF p = boot /\ o = Root
                 THEN [Empty EXCEPT !.count = 1, !.owner = boot]
                 ELSE Empty]]
    /\ lockedBy = [o \in Object |-> NoCore]
    /\ chan = [p \in Core |-> [q \in Core |-> <<>>]]
    /\ op = [p \in Core |-> Idle]
    /\ returned = [u \in Unit |-> 0]
    /\ justRevoked = {}

-----------------------------------------------------------------------------
(***************************************************************************)
(* OPERATIONS A DOMAIN ON CORE p INVOKES ON ITS COPY OF o.                 *)
(*                                                                         *)
(* First those the kernel completes alone.  The kernel refuses a busy      *)
(* capability (SYS_ERR_CAP_LOCKED).                                        *)
(***************************************************************************)
LocalCopy(p, o) ==
  (*************************************************************************)
  (* Copy o into another slot on p (kernel/capabilities.c,                 *)
  (* caps_copy_to_cnode).  The copy joins the copy-run and its metadata.   *)
  (*************************************************************************)
  /\ caps[p][o].count < MaxCopies
  /\ ~Busy(o)
  /\ caps' = [caps EXCEPT ![p][o].count = @ + 1]
  /\ UNCHANGED <<lockedBy, chan, op, returned>>

LocalDelete(p, o) ==
  (*************************************************************************)
  (* Delete a copy that is not p's last one (kernel/cap_delete.c,          *)
  (* caps_try_delete -> cleanup_copy, because has_copies holds).           *)
  (*************************************************************************)
  /\ caps[p][o].count > 1
  /\ ~Busy(o)
  /\ caps' = [caps EXCEPT ![p] = DropCopy(caps[p], o)]
  /\ UNCHANGED <<lockedBy, chan, op, returned>>

LocalRetype(p, o, d) ==
  (*************************************************************************)
  (* Retype o into the new object d, decided by the kernel alone: o has no *)
  (* remote copies and no remote descendants, so only p's own descendants  *)
  (* could overlap d (kernel/capabilities.c, caps_retype and               *)
  (* is_retypeable).  p owns d; d has a remote ancestor if o has one.      *)
  (*************************************************************************)
  /\ ~caps[p][o].rcopies /\ ~caps[p][o].rdescs
  /\ ~Busy(o)
  /\ ~OverlappingDesc(p, o, d)
  /\ caps' = [caps EXCEPT ![p][d] = [Empty EXCEPT !.count = 1, !.owner = p,
                                       !.rancs = caps[p][o].rancs]]
  /\ UNCHANGED <<lockedBy, chan, op, returned>>

DeleteLastOwned(p, o) ==
  (*************************************************************************)
  (* Delete p's last copy of o, which p owns and which has no remote       *)
  (* copies: it is the last copy in the system (cap_delete.c,              *)
  (* caps_try_delete -> cleanup_last; for a CNode the monitor's delete and *)
  (* clear steps, capops/deletestep.c, do the same work on this core).     *)
  (*************************************************************************)
  /\ caps[p][o].count = 1
  /\ Owner(p, o) = p
  /\ ~caps[p][o].rcopies
  /\ ~Busy(o)
  /\ CleanupLast(p, caps[p], o)
  /\ UNCHANGED <<lockedBy, chan, op>>

(***************************************************************************)
(* Then those the monitor completes, by a protocol with the other cores.   *)
(* Each starts with op[p] = Idle and sends requests; the answers are       *)
(* collected by RecvAnswer, and a Finish action ends the protocol.         *)
(***************************************************************************)
SendCopy(p, q, o) ==
  (*************************************************************************)
  (* Send a copy of o to q (capops/copy.c, capops_copy -> recv_copy).  The *)
  (* sender first marks its copies as having remote copies, its local      *)
  (* ancestors of o as having remote descendants and its local descendants *)
  (* as having remote ancestors, so that no bit ever claims less than      *)
  (* exists (Barrelfish sets the ancestor's bit lazily, when the local     *)
  (* copy goes: cleanup_copy).  The message carries the owner and the      *)
  (* relations the receiver will see as remote.                            *)
  (*************************************************************************)
  /\ op[p] = Idle
  /\ MayStart("send", o)
  /\ caps' = [caps EXCEPT ![p] =
                [x \in Object |->
                   IF x = o THEN [caps[p][x] EXCEPT !.rcopies = TRUE]
                   ELSE IF x \in Anc(o) /\ Has(p, x)
                        THEN [caps[p][x] EXCEPT !.rdescs = TRUE]
                   ELSE IF x \in Desc(o) /\ Has(p, x)
                        THEN [caps[p][x] EXCEPT !.rancs = TRUE]
                   ELSE caps[p][x]]]
  /\ Send(p, q, [type |-> "recv_copy", obj |-> o, owner |-> Owner(p, o),
                 rdescs |-> caps[p][o].rdescs \/ HasLocalDesc(p, o),
                 rancs |-> caps[p][o].rancs \/ HasLocalAnc(p, o)])
  /\ op' = [op EXCEPT ![p] = [kind |-> "send", obj |-> o, waiting |-> {q}]]
  /\ TakeLock("send", p, o)
  /\ UNCHANGED returned

DeleteForeign(p, o) ==
  (*************************************************************************)
  (* Delete p's last copy of o when another core owns o.  The kernel       *)
  (* deletes a foreign copy at once (caps_try_delete -> cleanup_copy); as  *)
  (* in the students' design (report 9.4, case 3) the monitor then tells   *)
  (* the owner.  The owner's remote-copies bit stays set: a bit may be     *)
  (* stale-true, never stale-false.                                        *)
  (*************************************************************************)
  /\ caps[p][o].count = 1
  /\ Owner(p, o) # p
  /\ op[p] = Idle
  /\ ~Busy(o)
  /\ caps' = [caps EXCEPT ![p] = DropCopy(caps[p], o)]
  /\ Send(p, Owner(p, o), [type |-> "notify_deleted", obj |-> o])
  /\ op' = [op EXCEPT ![p] = [kind |-> "notify", obj |-> o,
                                waiting |-> {Owner(p, o)}]]
  /\ UNCHANGED <<lockedBy, returned>>

DeleteStart(p, o) ==
  (*************************************************************************)
  (* Delete p's last copy of o, which p owns and which may have remote     *)
  (* copies.  The kernel answers SYS_ERR_DELETE_LAST_OWNED and the monitor *)
  (* takes the lock (capops/delete.c, delete_trylock_cont).  A moveable    *)
  (* capability looks for another core with a copy, to hand ownership      *)
  (* over (capsend_find_cap); any other is deleted everywhere              *)
  (* (delete_remote__enq).                                                 *)
  (*************************************************************************)
  /\ caps[p][o].count = 1
  /\ Owner(p, o) = p
  /\ caps[p][o].rcopies
  /\ op[p] = Idle
  /\ MayStart("delete", o)
  /\ IF Moveable(o)
     THEN /\ Multicast(p, [r \in Core |-> [type |-> "find_cap", obj |-> o]])
          /\ op' = [op EXCEPT ![p] = [kind |-> "delete", phase |-> "find",
                      obj |-> o, waiting |-> Others(p), found |-> {}]]
     ELSE /\ Multicast(p, [r \in Core |-> [type |-> "delete_remote", obj |-> o]])
          /\ op' = [op EXCEPT ![p] = [kind |-> "delete", phase |-> "remote",
                      obj |-> o, waiting |-> Others(p)]]
  /\ TakeLock("delete", p, o)
  /\ UNCHANGED <<caps, returned>>

\* A revoke on this core's row: one copy of o stays, its descendants go.
RevokeMarkLocal(row, o) ==
  [x \in Object |-> IF x = o THEN [row[x] EXCEPT !.count = 1]
                    ELSE IF x \in Desc(o) THEN Empty
                    ELSE row[x]]

RevokeStart(p, o) ==
  (*************************************************************************)
  (* Revoke o: delete every other copy and every descendant of o, on every *)
  (* core, keeping o itself (capops/revoke.c, capops_revoke).  p owns o,   *)
  (* which may have remote copies or descendants.  p takes the lock and    *)
  (* marks locally: its other copies and its descendants of o go at once   *)
  (* (revoke_local -> monitor_revoke_mark_target); then it asks every      *)
  (* other core to do the same (revoke_mark).                              *)
  (*************************************************************************)
  /\ Owner(p, o) = p
  /\ caps[p][o].rcopies \/ caps[p][o].rdescs
  /\ op[p] = Idle
  /\ MayStart("revoke", o)
  /\ caps' = [caps EXCEPT ![p] = RevokeMarkLocal(caps[p], o)]
  /\ Multicast(p, [r \in Core |-> [type |-> "revoke_mark", obj |-> o]])
  /\ op' = [op EXCEPT ![p] = [kind |-> "revoke", obj |-> o,
                              waiting |-> Others(p)]]
  /\ TakeLock("revoke", p, o)
  /\ UNCHANGED returned

RetypeStart(p, o, d) ==
  (*************************************************************************)
  (* Retype o into d when o has remote copies or remote descendants: the   *)
  (* kernel answers SYS_ERR_RETRY_THROUGH_MONITOR.  The monitor checks p's *)
  (* own descendants, takes the lock and asks every other core whether it  *)
  (* holds a descendant of o overlapping d (capops/retype.c,               *)
  (* capsend_check_retypeable -> check_retypeable).  Barrelfish routes a   *)
  (* non-owner's request through the owner; here the lock plays that part. *)
  (*************************************************************************)
  /\ caps[p][o].rcopies \/ caps[p][o].rdescs
  /\ op[p] = Idle
  /\ MayStart("retype", o)
  /\ ~OverlappingDesc(p, o, d)
  /\ Multicast(p, [r \in Core |-> [type |-> "check_retypeable", obj |-> o,
                                    new |-> d]])
  /\ op' = [op EXCEPT ![p] = [kind |-> "retype", obj |-> o, new |-> d,
                              waiting |-> Others(p), ok |-> TRUE]]
  /\ TakeLock("retype", p, o)
  /\ UNCHANGED <<caps, returned>>

RevokeLocal(p, o) ==
  (*************************************************************************)
  (* Revoke o when it has no remote copies and no remote descendants: the  *)
  (* revoke stays on p (revoke_no_remote) and completes in one step.       *)
  (*************************************************************************)
  /\ Has(p, o)
  /\ Owner(p, o) = p
  /\ ~caps[p][o].rcopies /\ ~caps[p][o].rdescs
  /\ op[p] = Idle
  /\ MayStart("revoke", o)
  /\ caps' = [caps EXCEPT ![p] = RevokeMarkLocal(caps[p], o)]
  /\ justRevoked' = {<<p, o>>}
  /\ UNCHANGED <<lockedBy, chan, op, returned>>

UserOp(p, o) ==
  (*************************************************************************)
  (* A domain on p invokes an operation on one of p's copies of o (other   *)
  (* than a revoke that completes at once, RevokeLocal).                   *)
  (*************************************************************************)
  /\ Has(p, o)
  /\ \/ LocalCopy(p, o)
     \/ LocalDelete(p, o)
     \/ DeleteLastOwned(p, o)
     \/ DeleteForeign(p, o)
     \/ DeleteStart(p, o)
     \/ RevokeStart(p, o)
     \/ \E d \in Children(o) : LocalRetype(p, o, d) \/ RetypeStart(p, o, d)
     \/ \E q \in Others(p) : SendCopy(p, q, o)
  /\ justRevoked' = {}

-----------------------------------------------------------------------------
(***************************************************************************)
(* HANDLERS: core p's monitor takes message m from core q's queue.         *)
(***************************************************************************)
RecvCopy(p, q, m) ==
  (*************************************************************************)
  (* p receives a copy and creates it (copy.c, recv_copy__rx ->            *)
  (* caps_create_from_existing).  A copy joining an existing copy-run      *)
  (* takes the run's metadata (Barrelfish asserts that the owners agree);  *)
  (* otherwise the owner comes from the message.  The new copy has a       *)
  (* remote copy, the sender's.  If p's CSpace is full the copy is dropped *)
  (* (SYS_ERR_SLOT_IN_USE); either way p answers.                          *)
  (*************************************************************************)
  /\ m.type = "recv_copy"
  /\ LET e == caps[p][m.obj]
     IN  caps' = IF e.count < MaxCopies
                 THEN [caps EXCEPT ![p][m.obj] =
                         [count   |-> e.count + 1,
                          owner   |-> IF e.count = 0 THEN m.owner ELSE e.owner,
                          rcopies |-> TRUE,
                          rdescs  |-> e.rdescs \/ m.rdescs,
                          rancs   |-> e.rancs \/ m.rancs]]
                 ELSE caps
  /\ Reply(q, p, [type |-> "recv_copy_result", obj |-> m.obj])
  /\ UNCHANGED <<lockedBy, op, returned>>

RecvNotify(p, q, m) ==
  (*************************************************************************)
  (* The owner acknowledges a notify_deleted.  It keeps its remote-copies  *)
  (* bit: other cores may still hold copies.                               *)
  (*************************************************************************)
  /\ m.type = "notify_deleted"
  /\ Reply(q, p, [type |-> "notify_ack", obj |-> m.obj])
  /\ UNCHANGED <<caps, lockedBy, op, returned>>

RecvFindCap(p, q, m) ==
  (*************************************************************************)
  (* p says whether it holds a copy (capsend.c, find_cap__rx_handler).     *)
  (*************************************************************************)
  /\ m.type = "find_cap"
  /\ Reply(q, p, [type |-> "find_cap_result", obj |-> m.obj,
                  found |-> Has(p, m.obj)])
  /\ UNCHANGED <<caps, lockedBy, op, returned>>

RecvMoveRequest(p, q, m) ==
  (*************************************************************************)
  (* p becomes the owner of its copies (move.c, move_request__rx_handler): *)
  (* it records itself as owner and adds the relations q reported; q's     *)
  (* copy still exists, so p has a remote copy.  If p no longer holds a    *)
  (* copy it refuses (SYS_ERR_CAP_NOT_FOUND) and q searches again.         *)
  (*************************************************************************)
  /\ m.type = "move_request"
  /\ caps' = IF Has(p, m.obj)
             THEN [caps EXCEPT ![p][m.obj].owner = p,
                               ![p][m.obj].rcopies = TRUE,
                               ![p][m.obj].rdescs = @ \/ m.rdescs,
                               ![p][m.obj].rancs = @ \/ m.rancs]
             ELSE caps
  /\ Reply(q, p, [type |-> "move_result", obj |-> m.obj, ok |-> Has(p, m.obj)])
  /\ UNCHANGED <<lockedBy, op, returned>>

RecvUpdateOwner(p, q, m) ==
  (*************************************************************************)
  (* p records the new owner on its copies, if it has any (update_owner -> *)
  (* owner_updated; the monitor's sys_set_cap_owner).                      *)
  (*************************************************************************)
  /\ m.type = "update_owner"
  /\ caps' = IF Has(p, m.obj) THEN [caps EXCEPT ![p][m.obj].owner = m.owner]
                              ELSE caps
  /\ Reply(q, p, [type |-> "owner_updated", obj |-> m.obj])
  /\ UNCHANGED <<lockedBy, op, returned>>

RecvDeleteRemote(p, q, m) ==
  (*************************************************************************)
  (* p deletes all its copies of the object, all foreign since q owns it   *)
  (* (delete.c, delete_remote__rx -> caps_delete_foreigns).                *)
  (*************************************************************************)
  /\ m.type = "delete_remote"
  /\ caps' = [caps EXCEPT ![p][m.obj] = Empty]
  /\ Reply(q, p, [type |-> "delete_remote_result", obj |-> m.obj])
  /\ UNCHANGED <<lockedBy, op, returned>>

RecvRevokeMark(p, q, m) ==
  (*************************************************************************)
  (* p deletes all its copies and descendants of the object                *)
  (* (revoke.c, revoke_mark__rx -> caps_mark_revoke, then p's delete       *)
  (* steps, deletestep.c) and answers.  Barrelfish splits this into a      *)
  (* mark/ready and a commit/done round so that domains subscribed to the  *)
  (* range can object first; the model has no subscribers and one round.   *)
  (* No memory is returned: the revoked capability still covers it.        *)
  (*************************************************************************)
  /\ m.type = "revoke_mark"
  /\ caps' = [caps EXCEPT ![p] = [x \in Object |->
                IF x \in {m.obj} \cup Desc(m.obj) THEN Empty ELSE caps[p][x]]]
  /\ Reply(q, p, [type |-> "revoke_done", obj |-> m.obj])
  /\ UNCHANGED <<lockedBy, op, returned>>

RecvCheckRetypeable(p, q, m) ==
  (*************************************************************************)
  (* p checks its descendants of the object against the new object's       *)
  (* range (retype.c, check_retypeable__rx -> sys_monitor_is_retypeable;   *)
  (* holding no copy is fine).  If it agrees, a descendant may now appear  *)
  (* on q, so p first marks its copies of the new object's ancestors as    *)
  (* having remote descendants.                                            *)
  (*************************************************************************)
  /\ m.type = "check_retypeable"
  /\ LET ok == ~OverlappingDesc(p, m.obj, m.new)
     IN  /\ caps' = IF ok
                    THEN [caps EXCEPT ![p] = [x \in Object |->
                            IF x \in Anc(m.new) /\ Has(p, x)
                            THEN [caps[p][x] EXCEPT !.rdescs = TRUE]
                            ELSE caps[p][x]]]
                    ELSE caps
         /\ Reply(q, p, [type |-> "check_retypeable_result", obj |-> m.obj,
                         ok |-> ok])
  /\ UNCHANGED <<lockedBy, op, returned>>

RecvAnswer(p, q, m) ==
  (*************************************************************************)
  (* p's running protocol collects q's answer: find_cap_result adds q to   *)
  (* the cores known to hold a copy; move_result and                       *)
  (* check_retypeable_result carry a verdict; the others are plain         *)
  (* acknowledgements.                                                     *)
  (*************************************************************************)
  /\ m.type \in Answer
  /\ op[p] # Idle /\ q \in op[p].waiting
  /\ Consume(q, p)
  /\ LET cur == [op[p] EXCEPT !.waiting = op[p].waiting \ {q}]
     IN  op' = [op EXCEPT ![p] =
                  CASE m.type = "find_cap_result" ->
                         IF m.found THEN [cur EXCEPT !.found = cur.found \cup {q}]
                                    ELSE cur
                    [] m.type \in {"move_result", "check_retypeable_result"} ->
                         [cur EXCEPT !.ok = cur.ok /\ m.ok]
                    [] OTHER -> cur]
  /\ UNCHANGED <<caps, lockedBy, returned>>

Receive(p, q) ==
  (*************************************************************************)
  (* p's monitor handles the first message queued from q to p.             *)
  (*************************************************************************)
  /\ chan[q][p] # <<>>
  /\ LET m == Head(chan[q][p])
     IN  \/ RecvCopy(p, q, m)
         \/ RecvNotify(p, q, m)
         \/ RecvFindCap(p, q, m)
         \/ RecvMoveRequest(p, q, m)
         \/ RecvUpdateOwner(p, q, m)
         \/ RecvDeleteRemote(p, q, m)
         \/ RecvRevokeMark(p, q, m)
         \/ RecvCheckRetypeable(p, q, m)
         \/ RecvAnswer(p, q, m)
  /\ justRevoked' = {}

-----------------------------------------------------------------------------
(***************************************************************************)
(* FINISHING A PROTOCOL, once every awaited core has answered.             *)
(***************************************************************************)
SendCopyFinish(p) ==
  (*************************************************************************)
  (* The copy has arrived (recv_copy_result__rx); the sender unlocks.      *)
  (*************************************************************************)
  /\ op[p].kind = "send"
  /\ op' = [op EXCEPT ![p] = Idle]
  /\ ReleaseLock(p, op[p].obj)
  /\ UNCHANGED <<caps, chan, returned>>

NotifyFinish(p) ==
  (*************************************************************************)
  (* The owner has acknowledged notify_deleted; the delete is complete.    *)
  (*************************************************************************)
  /\ op[p].kind = "notify"
  /\ op' = [op EXCEPT ![p] = Idle]
  /\ UNCHANGED <<caps, lockedBy, chan, returned>>

DeleteFindFinish(p) ==
  (*************************************************************************)
  (* Every core has said whether it holds a copy (delete.c,                *)
  (* find_core_cont).  If none does, p's copy is the last in the system:   *)
  (* p clears the remote-copies bit and cleans up (delete_last).           *)
  (* Otherwise p picks a core with a copy and moves ownership there        *)
  (* (capops_move -> move_request); every other core learns the new owner  *)
  (* (update_owner).  In Barrelfish the new owner broadcasts that update   *)
  (* (move.c -> capsend_update_owner); here p sends it with the move       *)
  (* request, under the same lock.  Barrelfish also unlocks between the    *)
  (* search and the move, and retries if the copy has vanished meanwhile;  *)
  (* the model keeps the lock throughout.                                  *)
  (*************************************************************************)
  /\ op[p].kind = "delete" /\ op[p].phase = "find"
  /\ LET o == op[p].obj
     IN  IF op[p].found = {}
         THEN /\ IF Has(p, o)
                 THEN CleanupLast(p, [caps[p] EXCEPT ![o].rcopies = FALSE], o)
                 ELSE UNCHANGED <<caps, returned>>
              /\ op' = [op EXCEPT ![p] = Idle]
              /\ ReleaseLock(p, o)
              /\ UNCHANGED chan
         ELSE \E q \in op[p].found :
              /\ Multicast(p, [r \in Core |->
                   IF r = q
                   THEN [type |-> "move_request", obj |-> o,
                         rdescs |-> caps[p][o].rdescs \/ HasLocalDesc(p, o),
                         rancs |-> caps[p][o].rancs \/ HasLocalAnc(p, o)]
                   ELSE [type |-> "update_owner", obj |-> o, owner |-> q]])
              /\ op' = [op EXCEPT ![p] = [kind |-> "delete", phase |-> "move",
                          obj |-> o, to |-> q, waiting |-> Others(p),
                          ok |-> TRUE]]
              /\ UNCHANGED <<caps, lockedBy, returned>>

DeleteMoveFinish(p) ==
  (*************************************************************************)
  (* Ownership has moved: p's copies name the new owner (Barrelfish's      *)
  (* owner update reaches the old owner too), so p's copy is foreign now   *)
  (* and goes like any foreign copy (move_result_cont ->                   *)
  (* dom_cnode_delete); p unlocks.  If the chosen core had lost its copy,  *)
  (* p searches again.                                                     *)
  (*************************************************************************)
  /\ op[p].kind = "delete" /\ op[p].phase = "move"
  /\ LET o == op[p].obj
     IN  IF op[p].ok
         THEN /\ caps' = [caps EXCEPT ![p] =
                            DropCopy([caps[p] EXCEPT ![o].owner = op[p].to], o)]
              /\ op' = [op EXCEPT ![p] = Idle]
              /\ ReleaseLock(p, o)
              /\ UNCHANGED chan
         ELSE /\ Multicast(p, [r \in Core |-> [type |-> "find_cap", obj |-> o]])
              /\ op' = [op EXCEPT ![p] = [kind |-> "delete", phase |-> "find",
                          obj |-> o, waiting |-> Others(p), found |-> {}]]
              /\ UNCHANGED <<caps, lockedBy>>
  /\ UNCHANGED returned

DeleteRemoteFinish(p) ==
  (*************************************************************************)
  (* Every remote copy is gone (delete_remote_result__rx): p clears the    *)
  (* remote-copies bit, deletes the last copy in the system (delete_last)  *)
  (* and unlocks.                                                          *)
  (*************************************************************************)
  /\ op[p].kind = "delete" /\ op[p].phase = "remote"
  /\ LET o == op[p].obj
     IN  /\ IF Has(p, o)
            THEN CleanupLast(p, [caps[p] EXCEPT ![o].rcopies = FALSE], o)
            ELSE UNCHANGED <<caps, returned>>
         /\ ReleaseLock(p, o)
  /\ op' = [op EXCEPT ![p] = Idle]
  /\ UNCHANGED chan

RetypeFinish(p) ==
  (*************************************************************************)
  (* Every core has answered the retype check.  If all agreed, p creates   *)
  (* the new object (caps_retype with from_monitor set, which skips the    *)
  (* overlap check) and owns it; it has remote ancestors if the source has *)
  (* remote copies or ancestors.  Either way p unlocks.                    *)
  (*************************************************************************)
  /\ op[p].kind = "retype"
  /\ LET o == op[p].obj
         d == op[p].new
     IN  /\ caps' = IF op[p].ok /\ Has(p, o) /\ ~Has(p, d)
                    THEN [caps EXCEPT ![p][d] =
                            [Empty EXCEPT !.count = 1, !.owner = p,
                               !.rancs = caps[p][o].rcopies \/ caps[p][o].rancs]]
                    ELSE caps
         /\ ReleaseLock(p, o)
  /\ op' = [op EXCEPT ![p] = Idle]
  /\ UNCHANGED <<chan, returned>>

RevokeFinish(p) ==
  (*************************************************************************)
  (* Every core has deleted its copies and descendants.  p sweeps: o has   *)
  (* no remote copies or descendants any more, so both bits are cleared    *)
  (* (revoke_result__rx clears remote_copies); p unlocks and reports       *)
  (* success.                                                              *)
  (*************************************************************************)
  /\ op[p] # Idle /\ op[p].waiting = {}
  /\ op[p].kind = "revoke"
  /\ LET o == op[p].obj
     IN  /\ caps' = [caps EXCEPT ![p][o].rcopies = FALSE,
                                 ![p][o].rdescs = FALSE]
         /\ ReleaseLock(p, o)
         /\ justRevoked' = {<<p, o>>}
  /\ op' = [op EXCEPT ![p] = Idle]
  /\ UNCHANGED <<chan, returned>>

Finish(p) ==
  (*************************************************************************)
  (* p's monitor ends its protocol (other than a revoke, RevokeFinish).    *)
  (*************************************************************************)
  /\ op[p] # Idle /\ op[p].waiting = {}
  /\ \/ SendCopyFinish(p)
     \/ NotifyFinish(p)
     \/ DeleteFindFinish(p)
     \/ DeleteMoveFinish(p)
     \/ DeleteRemoteFinish(p)
     \/ RetypeFinish(p)
  /\ justRevoked' = {}

-----------------------------------------------------------------------------
Quiescent == /\ \A p \in Core : op[p] = Idle
             /\ \A p, q \in Core : chan[p][q] = <<>>

Terminating ==
  (*************************************************************************)
  (* Once every capability is gone nothing can happen any more.  Letting a *)
  (* quiescent state stutter keeps TLC's deadlock check for the states     *)
  (* that matter: a protocol stuck waiting, or a message nobody takes.     *)
  (*************************************************************************)
  /\ Quiescent
  /\ UNCHANGED vars

(***************************************************************************)
(* Every step but a revoke's completion resets the history variable.       *)
(***************************************************************************)
Next ==
  \/ \E p \in Core, o \in Object : UserOp(p, o) \/ RevokeLocal(p, o)
  \/ \E p, q \in Core : Receive(p, q)
  \/ \E p \in Core : Finish(p) \/ RevokeFinish(p)
  \/ Terminating

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* Liveness.  If every monitor eventually handles the message at the head  *)
(* of each of its queues and eventually finishes a protocol whose answers  *)
(* are all in, then every protocol a monitor starts completes: no lock is  *)
(* held forever, no monitor waits forever.  Checked by TLC with            *)
(* DistCap_liveness.cfg (without SYMMETRY, which TLC does not combine      *)
(* soundly with liveness); the embedded checker checks safety only.        *)
(***************************************************************************)
FairSpec ==
  /\ Spec
  /\ \A p, q \in Core : WF_vars(Receive(p, q))
  /\ \A p \in Core : WF_vars(Finish(p) \/ RevokeFinish(p))

ProtocolsComplete == \A p \in Core : (op[p] # Idle) ~> (op[p] = Idle)

(***************************************************************************)
(* Cores are interchangeable: nothing in the protocol depends on a core's  *)
(* name, and Init picks the boot core with \E, so states that differ only  *)
(* by a renaming of the cores may be identified (TLC's SYMMETRY).          *)
(***************************************************************************)
CoreSymmetry == Permutations(Core)

-----------------------------------------------------------------------------
(***************************************************************************)
(* INVARIANTS.                                                             *)
(***************************************************************************)

\* A copy of o travelling to q inside a recv_copy message.
InFlightTo(q, o) ==
  \E p \in Others(q) : \E i \in 1..Len(chan[p][q]) :
     chan[p][q][i].type = "recv_copy" /\ chan[p][q][i].obj = o

\* Where[o]: the cores at which o exists: held there, or on its way there.
\* (The invariants bind it with LET so that it is computed once per state.)
Where == [o \in Object |-> {q \in Core : Has(q, o) \/ InFlightTo(q, o)}]

\* The capabilities some monitor is running a protocol on.
InProtocol == {op[p].obj : p \in {r \in Core : op[r] # Idle}}

Settled(o, inProtocol) ==
  (*************************************************************************)
  (* No monitor is in the middle of a protocol on o or a relative of o.    *)
  (* A protocol's intermediate states may disagree (the new owner is being *)
  (* announced, copies go core by core); the lock is what keeps other      *)
  (* operations from seeing them.                                          *)
  (*************************************************************************)
  Family(o) \cap inProtocol = {}

OwnerAgreement ==
  (*************************************************************************)
  (* All copies of a capability, on every core, name the same owner.       *)
  (*************************************************************************)
  LET inProtocol == InProtocol
  IN  \A o \in Object : Settled(o, inProtocol) =>
        \A p, q \in Holders(o) : Owner(p, o) = Owner(q, o)

OwnerHoldsCopy ==
  (*************************************************************************)
  (* The owner named by the copies holds a copy itself, so some core can   *)
  (* always serialise the operations on the capability.                    *)
  (*************************************************************************)
  LET inProtocol == InProtocol
  IN  \A o \in Object : Settled(o, inProtocol) =>
        \A p \in Holders(o) : Owner(p, o) \in Core /\ Has(Owner(p, o), o)

RemoteRelationsSound ==
  (*************************************************************************)
  (* The remote-relation bits never claim less than exists: if another     *)
  (* core holds, or is about to receive, a copy, a descendant or an        *)
  (* ancestor of o, then every core holding o has the matching bit set.    *)
  (* A bit may be stale-true (the relation went away and nobody said so),  *)
  (* never stale-false.  This holds in every state, mid-protocol too: a    *)
  (* kernel trusts a clear bit to complete an operation alone.             *)
  (*************************************************************************)
  LET where == Where
      elsewhere(p, o) == where[o] \ {p} # {}
  IN  \A p \in Core, o \in Object : Has(p, o) =>
        /\ elsewhere(p, o) => caps[p][o].rcopies
        /\ (\E d \in Desc(o) : elsewhere(p, d)) => caps[p][o].rdescs
        /\ (\E a \in Anc(o) : elsewhere(p, a)) => caps[p][o].rancs

RevokeLeavesNothing ==
  (*************************************************************************)
  (* When p has just completed a revoke of o, p holds exactly one copy of  *)
  (* o (the one it revoked through) and no other copy and no descendant of *)
  (* o exists anywhere, not even in a message.                             *)
  (*************************************************************************)
  \A pr \in justRevoked :
     LET p == pr[1]
         o == pr[2]
         where == Where
     IN  /\ caps[p][o].count = 1 /\ ~InFlightTo(p, o)
         /\ where[o] = {p}
         /\ \A d \in Desc(o) : where[d] = {}

NoUnrelatedOverlap ==
  (*************************************************************************)
  (* Any two capabilities that exist anywhere in the system and cover a    *)
  (* common unit of memory are related: one descends from the other.  No   *)
  (* two objects ever share memory, whichever cores hold them.             *)
  (*************************************************************************)
  LET where == Where
  IN  \A o1, o2 \in Object :
        (o1 # o2 /\ Overlap(o1, o2) /\ where[o1] # {} /\ where[o2] # {})
           => o1 \in Anc(o2) \/ o2 \in Anc(o1)

MemoryReturnedAtMostOnce ==
  (*************************************************************************)
  (* No unit of memory is handed back to the memory server twice.          *)
  (*************************************************************************)
  \A u \in Unit : returned[u] <= 1

ReturnedMemoryUnused ==
  (*************************************************************************)
  (* Memory handed back to the memory server is covered by no capability   *)
  (* anywhere: it went back only after its last user was gone.             *)
  (*************************************************************************)
  \A u \in Unit : returned[u] > 0 =>
     LET where == Where
     IN  \A o \in Object : u \in Region(o) => where[o] = {}

LockHeldByItsProtocol ==
  (*************************************************************************)
  (* Bookkeeping: a lock is held by a monitor whose protocol runs on that  *)
  (* capability, and a capability's lock is held by at most that one.      *)
  (*************************************************************************)
  \A o \in Object : lockedBy[o] # NoCore =>
     op[lockedBy[o]] # Idle /\ op[lockedBy[o]].obj = o

=============================================================================
