set -euo pipefail
F=/tmp/fx/fdb-v2
export FDB_PATH=/tmp/fx/store
$F init
$F define user.clicks --type int
$F define user.spend --type double --max-versions 3 --ttl 30d
$F define user.segment --type string
$F define user.score --type double
$F define-group model.a --features user.clicks,user.spend,user.score
printf 'id,ts,user.clicks\n' > /tmp/fx/clicks.csv
for i in $(seq 1 40); do printf 'u%d,2026-01-01T00:%02d:00Z,%d\n' $((i % 4 + 1)) $((i % 60)) $i >> /tmp/fx/clicks.csv; done
$F import /tmp/fx/clicks.csv --entity-column id --timestamp-column ts --run import-1 --producer loader@1
for d in 1 2 3 4 5; do $F put user.spend u1 $d.5 --event-time 2026-01-0${d}T10:00:00Z --producer spend@1 --run spend-$d --input user.clicks:u1@1 --input raw:evt-$d --note n$d; done
$F put user.segment u1 loyal --event-time 2026-01-02T00:00:00Z
$F delete user.segment u1 --event-time 2026-01-03T00:00:00Z
$F put user.segment 'a/b x' ünïcode --event-time 2026-01-02T00:00:00Z
$F put user.score u1 0.5 --event-time 2026-01-04T00:00:00Z --producer score@1 --run score-1 --input user.spend:u1@5
$F put user.score u2 0.7 --event-time 2026-01-04T00:00:00Z --producer score@1 --run score-1 --input user.spend:u1@4
$F rollback --run spend-5 --cascade --reason bad
$F rollback user.clicks u1 --to-version 3
$F undo 2
