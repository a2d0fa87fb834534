----------------------------- MODULE UmpChannel ------------------------------
(***************************************************************************)
(* One direction of a UMP channel: a ring of N slots in memory shared by   *)
(* two cores, at the granularity of its atomic memory steps.               *)
(*                                                                         *)
(* Each slot holds W payload words and a header word whose `used' bit says *)
(* that the slot holds a message the receiver has not consumed yet.        *)
(*   - The sender checks that the slot at its write position is free (used *)
(*     bit clear; otherwise the ring is full and it waits), writes the     *)
(*     payload one word at a time, then sets the used bit LAST and         *)
(*     advances its position modulo N.                                     *)
(*   - The receiver checks the used bit of the slot at its read position,  *)
(*     reads the payload words, then clears the used bit and advances.     *)
(*                                                                         *)
(* This is capref's UMP (impl/ump/, issue 4), modelled on Barrelfish's     *)
(* include/barrelfish/ump_impl.h: a ring of cache-line messages, each      *)
(* ending in a control word with a `used' bit; ump_impl_get_next fills in  *)
(* a control word with used = 1 that the sender writes after the payload,  *)
(* and ump_impl_poll tests the used bit at the receiver's position.        *)
(* Barrelfish's receiver does not clear the bit: the bit's meaning flips   *)
(* every lap (an epoch) and the sender learns about free slots from        *)
(* acknowledgements on the reverse channel.  capref, like the students'    *)
(* design in seeds/001 section 7.3, lets the receiver clear the bit, which *)
(* needs no reverse traffic.                                               *)
(*                                                                         *)
(* Memory is sequentially consistent here: each step is one atomic load or *)
(* store.  On real hardware the implementation needs a release store of    *)
(* the header and an acquire load of it (Atomics in capref, barriers in    *)
(* the report, section 7.3.2) to get this order.                           *)
(*                                                                         *)
(* Every step changes a program counter (spc/swi for the sender, rpc/rwi   *)
(* for the receiver), so the step between two states can be read off the   *)
(* difference of the states: a trace in ITF, which carries states and no   *)
(* action names, replays step by step against the implementation.          *)
(*                                                                         *)
(*   sender:   SendCheck, SendWriteWord(1..W), SendPublish                 *)
(*   receiver: RecvCheck, RecvReadWord(1..W), RecvRelease                  *)
(*                                                                         *)
(* The constant PublishFirst selects the order of the sender's steps:      *)
(* FALSE is the protocol; TRUE is the mutant of issue 4 that sets the used *)
(* bit before the payload (module UmpChannelBuggy).                        *)
(***************************************************************************)
EXTENDS Naturals, Sequences

CONSTANTS
  N,            \* number of slots in the ring
  W,            \* payload words per slot; at least 2, so that a read can tear
  MaxMsg,       \* number of messages the sender sends
  PublishFirst  \* TRUE: the sender sets the used bit before the payload

ASSUME /\ N \in Nat /\ N > 0
       /\ W \in Nat /\ W >= 2
       /\ MaxMsg \in Nat
       /\ PublishFirst \in BOOLEAN

Slot == 0..(N - 1)
Word == 1..W

(***************************************************************************)
(* Message k (k = 1, 2, ...) carries the number k in every payload word;   *)
(* a never-written word holds 0.  A message mixing two numbers, or holding *)
(* a 0, is a torn read.                                                    *)
(***************************************************************************)
Payload(k) == [i \in Word |-> k]
Blank == Payload(0)

\* Message k goes into slot SlotOf(k): both sides start at slot 0.
SlotOf(k) == (k - 1) % N

VARIABLES
  ring,       \* ring[s]: slot s in shared memory: [used, word]
  spos,       \* sender: the slot it writes next
  spc,        \* sender: "check", "write" or "publish": its next step
  swi,        \* sender: the word it writes next (1 unless spc = "write")
  sent,       \* sender: messages whose send has completed
  rpos,       \* receiver: the slot it reads next
  rpc,        \* receiver: "check", "read" or "release": its next step
  rwi,        \* receiver: the word it reads next (1 unless rpc = "read")
  rbuf,       \* receiver: the words read so far from the current slot
  delivered   \* receiver: the messages handed to the application, in order

vars == <<ring, spos, spc, swi, sent, rpos, rpc, rwi, rbuf, delivered>>

TypeOK ==
  /\ ring \in [Slot -> [used : BOOLEAN, word : [Word -> 0..MaxMsg]]]
  /\ spos \in Slot /\ rpos \in Slot
  /\ spc \in {"check", "write", "publish"} /\ swi \in Word
  /\ rpc \in {"check", "read", "release"} /\ rwi \in Word
  /\ sent \in 0..MaxMsg
  /\ rbuf \in [Word -> 0..MaxMsg]
  /\ delivered \in Seq([Word -> 0..MaxMsg])
  /\ Len(delivered) <= MaxMsg

Init ==
  (*************************************************************************)
  (* The receiver has zeroed the ring (ump_chan_state_init clears every    *)
  (* header of an incoming channel); both positions are at slot 0.         *)
  (*************************************************************************)
  /\ ring = [s \in Slot |-> [used |-> FALSE, word |-> Blank]]
  /\ spos = 0 /\ spc = "check" /\ swi = 1 /\ sent = 0
  /\ rpos = 0 /\ rpc = "check" /\ rwi = 1 /\ rbuf = Blank
  /\ delivered = <<>>

ReceiverVars == <<rpos, rpc, rwi, rbuf, delivered>>
SenderVars == <<spos, spc, swi, sent>>

\* The sender's step after SendCheck: the payload, or (mutant) the header.
AfterCheck == IF PublishFirst THEN "publish" ELSE "write"

-----------------------------------------------------------------------------
SendCheck ==
  (*************************************************************************)
  (* The sender has a message to send and loads the header of the slot at  *)
  (* its position: the used bit is clear, so the slot is free.  (While it  *)
  (* is set the ring is full and this step is not enabled: the sender      *)
  (* waits.)                                                               *)
  (*************************************************************************)
  /\ spc = "check"
  /\ sent < MaxMsg
  /\ ~ring[spos].used
  /\ spc' = AfterCheck
  /\ UNCHANGED <<ring, spos, swi, sent>>
  /\ UNCHANGED ReceiverVars

SendWriteWord(i) ==
  (*************************************************************************)
  (* The sender stores payload word i of message sent + 1 into the slot.   *)
  (* After the last word it goes on to publish the slot, or, in the mutant *)
  (* that published first, it is done with this message and advances.      *)
  (*************************************************************************)
  /\ spc = "write" /\ swi = i
  /\ ring' = [ring EXCEPT ![spos].word[i] = sent + 1]
  /\ IF i < W
     THEN /\ swi' = i + 1
          /\ UNCHANGED <<spc, spos, sent>>
     ELSE /\ swi' = 1
          /\ IF PublishFirst
             THEN /\ spc' = "check"
                  /\ spos' = (spos + 1) % N
                  /\ sent' = sent + 1
             ELSE /\ spc' = "publish"
                  /\ UNCHANGED <<spos, sent>>
  /\ UNCHANGED ReceiverVars

SendPublish ==
  (*************************************************************************)
  (* The sender stores the header with the used bit set: the message is    *)
  (* now visible to the receiver.  In the protocol this comes after the    *)
  (* payload, and the sender then advances its position modulo N; in the   *)
  (* mutant it comes first and the payload follows.                        *)
  (*************************************************************************)
  /\ spc = "publish"
  /\ ring' = [ring EXCEPT ![spos].used = TRUE]
  /\ IF PublishFirst
     THEN /\ spc' = "write"
          /\ UNCHANGED <<spos, sent>>
     ELSE /\ spc' = "check"
          /\ spos' = (spos + 1) % N
          /\ sent' = sent + 1
  /\ UNCHANGED swi
  /\ UNCHANGED ReceiverVars

RecvCheck ==
  (*************************************************************************)
  (* The receiver loads the header of the slot at its position and finds   *)
  (* the used bit set: a message is there (ump_impl_poll).                 *)
  (*************************************************************************)
  /\ rpc = "check"
  /\ ring[rpos].used
  /\ rpc' = "read"
  /\ UNCHANGED <<ring, rpos, rwi, rbuf, delivered>>
  /\ UNCHANGED SenderVars

RecvReadWord(i) ==
  (*************************************************************************)
  (* The receiver loads payload word i of the slot.                        *)
  (*************************************************************************)
  /\ rpc = "read" /\ rwi = i
  /\ rbuf' = [rbuf EXCEPT ![i] = ring[rpos].word[i]]
  /\ IF i < W THEN /\ rwi' = i + 1
                   /\ UNCHANGED rpc
              ELSE /\ rwi' = 1
                   /\ rpc' = "release"
  /\ UNCHANGED <<ring, rpos, delivered>>
  /\ UNCHANGED SenderVars

RecvRelease ==
  (*************************************************************************)
  (* The receiver hands the message to the application, stores the header  *)
  (* with the used bit clear, so that the sender may reuse the slot, and   *)
  (* advances its position modulo N.                                       *)
  (*************************************************************************)
  /\ rpc = "release"
  /\ ring' = [ring EXCEPT ![rpos].used = FALSE]
  /\ delivered' = Append(delivered, rbuf)
  /\ rbuf' = Blank
  /\ rpos' = (rpos + 1) % N
  /\ rpc' = "check"
  /\ UNCHANGED rwi
  /\ UNCHANGED SenderVars

Done ==
  (*************************************************************************)
  (* Every message has been sent and delivered and the ring is empty:      *)
  (* stutter, so that TLC's deadlock check reports only a channel that is  *)
  (* stuck with work left.                                                 *)
  (*************************************************************************)
  /\ sent = MaxMsg /\ spc = "check" /\ rpc = "check"
  /\ \A s \in Slot : ~ring[s].used
  /\ UNCHANGED vars

SenderStep == SendCheck \/ (\E i \in Word : SendWriteWord(i)) \/ SendPublish
ReceiverStep == RecvCheck \/ (\E i \in Word : RecvReadWord(i)) \/ RecvRelease

Next == SenderStep \/ ReceiverStep \/ Done

Spec == Init /\ [][Next]_vars

(***************************************************************************)
(* With both sides taking their enabled steps eventually, every message is *)
(* delivered (checked by TLC with UmpChannel_liveness.cfg; the embedded    *)
(* checker checks safety only).                                            *)
(***************************************************************************)
FairSpec == Spec /\ WF_vars(SenderStep) /\ WF_vars(ReceiverStep)
AllDelivered == <>(Len(delivered) = MaxMsg)

NotAllDelivered ==
  (*************************************************************************)
  (* Not a property of the channel but a witness: checked as an invariant  *)
  (* (UmpChannel_witness.cfg), its shortest violation is a complete        *)
  (* behavior that sends and delivers every message.  The trace bridge     *)
  (* (conformance/ump/itf-bridge.ts) replays it against the                *)
  (* implementation, which must pass every check (docs/ump.md, section 10).*)
  (*************************************************************************)
  Len(delivered) < MaxMsg

-----------------------------------------------------------------------------
(***************************************************************************)
(* INVARIANTS.                                                             *)
(***************************************************************************)
NoTornRead ==
  (*************************************************************************)
  (* Every delivered message equals a message the sender sends, word for   *)
  (* word: never a mixture of two messages, never words not yet written.   *)
  (*************************************************************************)
  \A j \in 1..Len(delivered) : \E k \in 1..MaxMsg : delivered[j] = Payload(k)

FifoExactlyOnce ==
  (*************************************************************************)
  (* The j-th message delivered is the j-th message sent, and only sent    *)
  (* messages are delivered: messages arrive in order, none twice, and     *)
  (* none is skipped.                                                      *)
  (*************************************************************************)
  /\ Len(delivered) <= sent
  /\ \A j \in 1..Len(delivered) : delivered[j] = Payload(j)

InFlightIntact ==
  (*************************************************************************)
  (* No message is lost: every message sent but not yet delivered sits     *)
  (* intact in its slot, published.                                        *)
  (*************************************************************************)
  \A k \in (Len(delivered) + 1)..sent :
     ring[SlotOf(k)].used /\ ring[SlotOf(k)].word = Payload(k)

NoOverwrite ==
  (*************************************************************************)
  (* The sender never writes into a slot holding a message the receiver    *)
  (* has not consumed (a full ring makes it wait instead).                 *)
  (*************************************************************************)
  spc = "write" =>
     \A k \in (Len(delivered) + 1)..sent : SlotOf(k) # spos

=============================================================================
