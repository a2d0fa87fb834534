------------------------------ MODULE Courier ------------------------------
(* A benchmark in the shape of a distributed capability protocol: objects have
   an owner core and copies on cores; cores copy objects to each other and hand
   ownership over through per-pair FIFO channels of record messages, and delete
   copies they do not own. Used to measure the embedded checker's states per
   second (npm run tla:bench); not a model of capref itself. *)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS Cores, Objects, Depth

VARIABLES owner, copies, chan

vars == <<owner, copies, chan>>

Msg == [type : {"copy", "own"}, obj : Objects]
Pairs == {<<c, d>> \in Cores \X Cores : c # d}

Init == /\ owner = [o \in Objects |-> CHOOSE c \in Cores : TRUE]
        /\ copies = [c \in Cores |-> IF c = CHOOSE x \in Cores : TRUE THEN Objects ELSE {}]
        /\ chan = [p \in Pairs |-> <<>>]

Send(c, d, m) == /\ Len(chan[<<c, d>>]) < Depth
                 /\ chan' = [chan EXCEPT ![<<c, d>>] = Append(@, m)]

\* A core with a copy sends another copy to a core that has none.
SendCopy(c, d, o) == /\ o \in copies[c]
                     /\ o \notin copies[d]
                     /\ Send(c, d, [type |-> "copy", obj |-> o])
                     /\ UNCHANGED <<owner, copies>>

\* The owner hands ownership to a core it has copied the object to.
GiveOwnership(c, d, o) == /\ owner[o] = c
                          /\ o \in copies[d]
                          /\ Send(c, d, [type |-> "own", obj |-> o])
                          /\ owner' = [owner EXCEPT ![o] = d]
                          /\ UNCHANGED copies

Receive(c, d) == /\ chan[<<c, d>>] # <<>>
                 /\ LET m == Head(chan[<<c, d>>])
                    IN  /\ copies' = [copies EXCEPT ![d] = @ \cup {m.obj}]
                        /\ chan' = [chan EXCEPT ![<<c, d>>] = Tail(@)]
                 /\ UNCHANGED owner

\* A core deletes a copy it does not own.
Delete(c, o) == /\ o \in copies[c]
                /\ owner[o] # c
                /\ copies' = [copies EXCEPT ![c] = @ \ {o}]
                /\ UNCHANGED <<owner, chan>>

Next == \/ \E <<c, d>> \in Pairs, o \in Objects : SendCopy(c, d, o) \/ GiveOwnership(c, d, o)
        \/ \E <<c, d>> \in Pairs : Receive(c, d)
        \/ \E c \in Cores, o \in Objects : Delete(c, o)

TypeOK == /\ owner \in [Objects -> Cores]
          /\ copies \in [Cores -> SUBSET Objects]
          /\ \A p \in Pairs : chan[p] \in Seq(Msg)

\* The owner holds a copy, or ownership is on its way to the new owner with a copy.
OwnerHoldsCopy == \A o \in Objects : o \in copies[owner[o]]
=============================================================================
