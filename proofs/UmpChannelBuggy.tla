--------------------------- MODULE UmpChannelBuggy ----------------------------
(***************************************************************************)
(* The UMP ring of module UmpChannel with the sender's steps in the wrong  *)
(* order: it sets the used bit BEFORE it writes the payload (the first     *)
(* mutant of issue 4).  The receiver can then see a published slot whose   *)
(* payload is not (completely) written and deliver it: NoTornRead fails.   *)
(* The expected counterexample is proofs/expected/UmpChannelBuggy.out.     *)
(***************************************************************************)
CONSTANTS N, W, MaxMsg

VARIABLES ring, spos, spc, swi, sent, rpos, rpc, rwi, rbuf, delivered

Ump == INSTANCE UmpChannel WITH PublishFirst <- TRUE

Init == Ump!Init

\* The same step alphabet as UmpChannel, named here so that TLC's trace
\* labels each state with the step that produced it.
SendCheck == Ump!SendCheck
SendWriteWord(i) == Ump!SendWriteWord(i)
SendPublish == Ump!SendPublish
RecvCheck == Ump!RecvCheck
RecvReadWord(i) == Ump!RecvReadWord(i)
RecvRelease == Ump!RecvRelease
Done == Ump!Done

Next ==
  \/ SendCheck \/ (\E i \in Ump!Word : SendWriteWord(i)) \/ SendPublish
  \/ RecvCheck \/ (\E i \in Ump!Word : RecvReadWord(i)) \/ RecvRelease
  \/ Done

TypeOK == Ump!TypeOK
NoTornRead == Ump!NoTornRead
FifoExactlyOnce == Ump!FifoExactlyOnce
InFlightIntact == Ump!InFlightIntact
NoOverwrite == Ump!NoOverwrite
=============================================================================
