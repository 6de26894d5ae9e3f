#!/usr/bin/env bash
# Loads a small demo review, taken from a real action plan ("Working in
# Partnership on Services for Children and Young People", 2010), into a
# running rectrackd. Safe to run again: each change has a request id.
# Usage: deploy/demo-data.sh [HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:-127.0.0.1:50051}
# rt KEY ARGS...: one change, with the request id "demo-KEY".
rt() {
  local key=$1
  shift
  "${RECTRACK_CLI:-./build/client/rectrack}" --server "$server" \
    --request-id "demo-$key" "$@"
}

review=$(rt 1 review open --title "Working in Partnership on Services for CYP" \
  --committee "Scrutiny and Overview Committee" \
  --council "Example District Council" --published 2010-06-17 | tail -n 1)
rt 2 review schedule "$review" --date 2010-07-08 --note "Cabinet" >/dev/null
rt 3 review schedule "$review" --date 2011-01-13 --note "1st update" >/dev/null

r1=$(rt 4 rec add "$review" --ref 1 --portfolio "Leader" --text \
  "That the council's representatives on the Children's Trust ensure that progress on the CYP Transport Plan is monitored." | tail -n 1)
rt 5 rec respond "$r1" --decision accepted --text "Agreed." --by "Cabinet" --on 2010-07-08 >/dev/null
a1=$(rt 6 action add "$r1" --text "Issue to be raised at the next appropriate meeting of Children's Trust" \
  --lead "Steve Hampson" --lead "Cllr B Smith" --due "May 10" | tail -n 1)
rt 7 action status "$a1" --status completed --note "Now in workplan" >/dev/null

r2=$(rt 8 rec add "$review" --ref 2 --portfolio "Leader" --text \
  "That representatives ensure that partnerships consult children and young people whenever designing services aimed at them." | tail -n 1)
rt 9 rec respond "$r2" --decision accepted --text "Agreed." --by "Cabinet" --on 2010-07-08 >/dev/null
a2=$(rt 10 action add "$r2" --text "Add to partnerships toolkit and publicise" \
  --lead "Gemma Barron" --due "Sept 10" | tail -n 1)
rt 11 action status "$a2" --status in-progress >/dev/null
rt 12 action progress "$a2" --text "Draft toolkit section written" --on 2010-08-02 >/dev/null
rt 13 action add "$r2" --text "Check that effective CYP consultation is included in CYP participation strategy" \
  --lead "Tracey Mann" --due "Dec 10?" >/dev/null

r3=$(rt 14 rec add "$review" --ref 3 --portfolio "Leader" --text \
  "That a member champion for young people be appointed." | tail -n 1)
rt 15 rec respond "$r3" --decision rejected --text "Not agreed at this time." \
  --reason "Existing portfolio holder already covers this role" --by "Cabinet" --on 2010-07-08 >/dev/null

echo "$review"
