import os, sys, time
# usage: fp.py PARENT_PID... ; samples each `knd run` descendant over 60 s
CLK = os.sysconf('SC_CLK_TCK')
def children(pid):
    out=[]
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            st=open(f'/proc/{p}/stat').read()
            ppid=int(st.rsplit(')',1)[1].split()[1])
            cmd=open(f'/proc/{p}/cmdline').read().split('\0')
        except Exception: continue
        if ppid==pid: out.append((int(p),cmd))
    return out
def knds(root):
    res=[]; todo=[root]
    while todo:
        p=todo.pop()
        for c,cmd in children(p):
            todo.append(c)
            if len(cmd)>1 and cmd[0].endswith('knd') and cmd[1]=='run': res.append(c)
    return res
def cpu(p):
    f=open(f'/proc/{p}/stat').read().rsplit(')',1)[1].split()
    return int(f[11])+int(f[12])
def mem(p):
    d={}
    for l in open(f'/proc/{p}/status'):
        k,v=l.split(':',1)
        if k in('VmRSS','RssAnon','RssFile','RssShmem'): d[k]=int(v.split()[0])/1024
    return d
roots=[int(a) for a in sys.argv[1:]]
sets={r:knds(r) for r in roots}
a={p:cpu(p) for r in roots for p in sets[r]}
t=time.time(); time.sleep(60); dt=time.time()-t
for r in roots:
    for p in sets[r]:
        m=mem(p)
        print(r,p,f"cpu {100*(cpu(p)-a[p])/CLK/dt:.2f}%", " ".join(f"{k} {v:.1f}" for k,v in m.items()))
print("load", open('/proc/loadavg').read().strip())
