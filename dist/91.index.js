var v=Object.defineProperty;var t=(n,o)=>v(n,"name",{value:o,configurable:!0});const y=91,w=[91],A={91:(function(n,o,e){e.a(n,async(l,d)=>{try{e.r(o);var c=e(4980),p=e(311);const a=process.argv.slice(2);for(const r of[process.stdout,process.stderr])r.on("error",s=>{if(s.code!=="EPIPE")throw s});const f=new Set(["-h","--help","-v","--version"]);if(a.length>0&&a.every(r=>f.has(r))){const r=a.some(s=>s==="-h"||s==="--help");process.stdout.write(r?c.u:`${p.j.version}
`)}else{const{main:r}=await Promise.all([e.e(894),e.e(642),e.e(581)]).then(e.bind(e,5581)),s=!!process.stdout.isTTY&&!process.env.NO_COLOR,h=t(i=>process.stderr.write(i),"stderr");process.exitCode=await r(a,{stdout:t(i=>process.stdout.write(i),"stdout"),stderr:h,env:process.env,color:s,progress:{tty:!!process.stderr.isTTY,columns:process.stderr.columns,now:t(()=>Number(process.hrtime.bigint())/1e6,"now"),write:h,every:t((i,u)=>{const m=setInterval(u,i).unref();return()=>clearInterval(m)},"every")},fleet:t(async()=>(await e.e(42).then(e.bind(e,5042))).tuneHeapForFleet(),"fleet")})}d()}catch(a){d(a)}},1)}),4980:(function(n,o,e){e.d(o,{u:t(()=>l,"u")});const l=`Usage: mailtrap-dns-verify check [options]
       mailtrap-dns-verify wait [options] [--timeout DURATION] [--interval DURATION]
       mailtrap-dns-verify merge REPORT.json... [--format F] [--output FILE] [--fail-on T]
       mailtrap-dns-verify pull [--config FILE] [--check] [--add]

check: check that every sending domain in domains.yaml has the DNS records Mailtrap expects.
wait:  check again and again until every domain passes or the time is up (release gates).
merge: one report from the JSON reports of sharded runs (--shard k/n), as if one run had
       checked every domain; REPORT may be a file, a directory or a pattern like dir/*.json.
pull:  write what Mailtrap's API knows into domains.yaml (verification host, tracking, records
       that differ from the defaults), keeping its comments and layout; needs MAILTRAP_API_TOKEN.

Options:
  --config FILE                 domains.yaml to read (default: domains.yaml)
  --resolver NAME=ADDR[:PORT]   ask this DNS server; repeatable; replaces the configured set.
  --resolver NAME=https://URL   ... or this DNS-over-HTTPS endpoint (RFC 8484),
  --resolver NAME=tcp://ADDR    ... or this server over one pipelined TCP connection (RFC 7766).
                                Presets: cloudflare, google, quad9, opendns, cloudflare-doh,
                                google-doh, system, authoritative (the zone's own servers)
  --authoritative ADDR[:PORT]   ask this authoritative server (recursion off) instead of
                                discovering the zone's servers; repeatable
  --authoritative-port PORT     port to ask discovered authoritative servers on (default 53)
  --zone-dir DIR                answer from BIND zone files DIR/<zone>.zone, no network
  --domain NAME                 check only this domain; repeatable
  --shard K/N                   check only slice K of N (by a hash of each name), for a matrix
  --format text|json|markdown   report format (default: text)
  --output FILE                 write the report to FILE instead of standard output
  --fail-on error|warning|never exit 1 when a finding is this severe (default: the config's
                                defaults.fail-on, else error)
  --query-timeout MS            per-query timeout in milliseconds (default: 2000)
  --tries N                     tries per query (default: 2)
  --max-in-flight N             queries in flight per resolver at most (default: 64)
  --rate-limit [NAME=]QPS       questions per second at most: to resolver NAME, or to every
                                resolver without one of its own; 0 lifts a cap; repeatable.
                                Default: cloudflare, quad9, opendns and cloudflare-doh 100,
                                google and google-doh 300 (a fifth or less of their published
                                limits); no cap on other servers
  --deadline DURATION           give up on every question still open after this long, as
                                unknown (default: 1m plus 0.25s per domain)
  --mailtrap-account ID         with MAILTRAP_API_TOKEN set: the Mailtrap account to read
                                (needed when the token reaches several)
  --mailtrap-url URL            Mailtrap's API (default https://mailtrap.io)
  --require-verified            release gate: exit 1 unless Mailtrap has verified the DNS of
                                every domain and it is compliant (exit 3 if the API is down)
  --create                      add the domains the Mailtrap account lacks (opt-in), and list
                                the records to publish; create: true in domains.yaml does it
                                for one domain
  --verbose                     say which Mailtrap API paths are used, and every retry
  --no-progress                 no progress line on standard error (on a terminal it is
                                redrawn in place; elsewhere one line ends runs over a second)
  --no-color                    no colour in the text report
  -h, --help                    show this help
  -v, --version                 show the version

With MAILTRAP_API_TOKEN in the environment, the expected records come from Mailtrap's API
and Mailtrap's own status of each domain and record is checked too.

wait only:
  --until-verified              wait until Mailtrap has verified every domain too (implies
                                --require-verified)
  --mailtrap-interval DURATION  ask Mailtrap again no more often than this (default: 5m)
  --timeout DURATION            give up after this long (default: 10m; e.g. 40s, 5m, 1h)
  --interval DURATION           first pause between rounds (default: 30s); pauses grow by half
                                each round to at most 5m, never shorter than asked

pull only:
  --check                       write nothing; exit 1 with a diff when the file is not current
  --add                         also append the domains Mailtrap has that the file lacks

Exit codes: 0 pass, 1 findings at or above --fail-on (wait: still failing or propagating at
the deadline), 2 usage or config error, 3 inconclusive.
`}),311:(function(n,o,e){e.d(o,{j:t(()=>l,"j")});const l={name:"mailtrap-dns-verify",version:"0.1.0"}})};export{y as id,w as ids,A as modules};
