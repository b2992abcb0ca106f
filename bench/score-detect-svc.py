#!/usr/bin/env python3
# Scores detection results (ports JSON, or nmap XML converted) against the lab rows in tests/lab/svc.sh.
# Usage: score-detect-svc.py ports  (prints the TCP ports per host) | score-detect-svc.py RESULT.json...
import json, re, subprocess, sys, shlex
rows=[]
for line in open('tests/lab/svc.sh'):
    line=line.strip()
    if not line.startswith('row ') : continue
    def upver(m):
        pkg=m.group(1)
        try:
            v=subprocess.run(['dpkg-query','-W','-f=${Version}',pkg],capture_output=True,text=True).stdout
        except Exception: v=''
        v=re.sub(r'^\d+:','',v); v=re.sub(r'[-+~].*$','',v) if v else v
        return v
    line=re.sub(r'\$\(upver ([\w.-]+)\)',upver,line)
    try: parts=shlex.split(line)
    except ValueError: continue
    if len(parts)<9: continue
    _,name,host,proto,port,state,svc,prod,ver=parts[:9]
    info=parts[9] if len(parts)>9 else ''
    host={'$H':'198.18.3.2','$H2':'198.18.4.2'}.get(host,host)
    if proto!='tcp' or state!='open': continue
    rows.append(dict(name=name,host=host,port=int(port),svc=svc,prod=prod,ver=ver,heldout='heldout' in info))
if sys.argv[1]=='ports':
    for h in ('198.18.3.2','198.18.4.2'):
        print(h, ','.join(str(r['port']) for r in rows if r['host']==h))
    sys.exit()
results={}
for f in sys.argv[1:]:
    d=json.load(open(f))
    for h in d['hosts']:
        for p in h['ports']:
            results[(h['address'],p['port'])]=p
tot={'all':[0,0,0,0],'held':[0,0,0,0]}
def norm(s): return re.sub(r'[^a-z0-9]','',(s or '').lower())
for r in rows:
    p=results.get((r['host'],r['port']))
    svc=p and p.get('service'); prod=p and p.get('product'); ver=p and p.get('version')
    s_ok = svc is not None and norm(svc)==norm(r['svc'])
    pr_ok = r['prod']=='-' and s_ok or (prod is not None and r['prod']!='-' and (norm(r['prod']) in norm(prod) or norm(prod) in norm(r['prod'])) and len(norm(prod))>2)
    v_ok = r['ver'] in ('-','') and s_ok or (ver is not None and r['ver'] and (ver.startswith(r['ver']) or r['ver'].startswith(ver)) and len(ver)>0)
    for k in (['all','held'] if r['heldout'] else ['all']):
        t=tot[k]; t[0]+=1; t[1]+=s_ok; t[2]+=bool(pr_ok); t[3]+=bool(v_ok)
    print(f"{r['host']}:{r['port']:<6} {r['name']:<14} want {r['svc']}/{r['prod']}/{r['ver']:<10} got {svc}/{prod}/{ver} m={p and p.get('serviceMethod')} c={p and p.get('confidence')} {'S' if s_ok else '-'}{'P' if pr_ok else '-'}{'V' if v_ok else '-'}")
print('rows, service right, product right, version right:', tot)
