#!/usr/bin/env bash
# The README's "A short tour", as a script that runs as written: from the clone, with
# `lrt` on PATH (after `make demo` or `make install`: .venv/bin), in a fresh temporary
# directory, with every date relative to today (GNU date). tests/e2e/test_tour.py runs it
# and checks that the README shows exactly the commands below the marker.
set -euo pipefail
cd "$(dirname "$0")/.."
# --- the tour (README "A short tour") ---
export PATH="$PWD/.venv/bin:$PATH" EXAMPLES="$PWD/docs/examples"   # in the clone
cd "$(mktemp -d)"                         # a fresh directory for the store and the files
export LRT_DB=lrt.sqlite                  # the default; or --db PATH
lrt init --admin secretariaat --organisation JenV \
         --organisation-name "Ministerie van Justitie en Veiligheid"
export LRT_USER=secretariaat              # or --as USER before the command

lrt org add VNG "Vereniging van Nederlandse Gemeenten"
lrt person add "Liesbeth Spies" --title Mevr.                # prints: liesbeth-spies
lrt table add LRT "Landelijke Regietafel Migratie en Integratie" --secretariat JenV
lrt member add LRT liesbeth-spies --organisation VNG --function "bestuurder VNG" \
           --since 2023-09-01 --office-holder
lrt user add spies --role member --organisation VNG --person liesbeth-spies

# a meeting three weeks ago, recorded after the fact, and the next one a week ago
M=$(lrt meeting schedule LRT --at "$(date -d '-21 days' +%F) 09:15" --place Webex)
NEXT=$(lrt meeting schedule LRT --at "$(date -d '-7 days' +%F) 09:15" --place "Den Haag")
lrt use "$M"                              # the current meeting: left out below
lrt agenda add "Opening en mededelingen"                       # prints: 1
lrt agenda add "Conceptbrief aan de Tweede Kamer"              # prints: 2
D=$(lrt document add "Conceptbrief" --from "$EXAMPLES/conceptbrief.txt")
lrt document send "$D"
lrt document round "$D"                   # open for 5 working days (the table's rules)
lrt --as spies comment add "$D" --text "De toon is te zendend."

lrt meeting hold
lrt attendance record --remote liesbeth-spies   # several: --present a,b --absent c
lrt minutes draft --from "$EXAMPLES/verslag.md" # its "Actie:" line: action A1
lrt minutes circulate                     # comments until 12:00, 5 working days on
CIRCULATED=$(date '+%FT%T.%6N%:z')        # a record time, to look back at
lrt --as spies amendment propose --item 1 --point 2 \
    --text "Het verslag van de vorige vergadering wordt vastgesteld met een wijziging namens VNG."
lrt amendment accept 1
lrt minutes round close                   # before its deadline: now it can be approved
lrt meeting hold "$NEXT"
lrt minutes approve --at-meeting "$NEXT"

lrt action add --item 2 --owner JenV --text "JenV verstuurt de brief aan de Kamer" \
    --due "$(date -d '+14 days' +%F)"
lrt minutes show                          # the minutes as the members read them (Dutch)
lrt deadlines --all                       # comment rounds: who commented, who did not
lrt action list
lrt history "$M"                          # every event, who and when; text diffs

lrt minutes show --as-of "$CIRCULATED"    # as the system said then
lrt minutes show --official-on "$(date +%F)"   # the approved text in force today
lrt minutes redactions                    # Woo: civil servants redacted
lrt minutes publish --out openbaar/
lrt minutes publish --out openbaar/       # nothing changed: says so, exit 0
lrt export parliament --table LRT --from "$(date -d '-1 year' +%F)" --to "$(date +%F)" \
    --out kamer
lrt audit verify

lrt table rules LRT --documents-due 5 --comment-days 5 --approval meeting  # working days
lrt deadlines --within 48h                # rounds closing, documents due, actions due
lrt report punctuality --table LRT --year "$(date -d '-21 days' +%Y)"
lrt table show LRT                        # its rules, and when the next meeting is due
lrt calendar export --person liesbeth-spies --out lrt.ics
lrt minutes show --format docx --out verslag.docx   # or md, html
