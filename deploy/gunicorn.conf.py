"""gunicorn's settings wherever the portal is served: `make run`, production behind nginx
(deploy/nginx/), and the fault, load and slow-client scripts. The address and the number of
worker processes are given on the command line (runportal --bind, --workers).

gthread rather than sync: a sync worker belongs to one connection from its first byte to its
last, so three clients sending a header line every 2 s took both workers of a `make run`
portal and every page waited 31 s. nginx removes that in production (it hands gunicorn only
whole requests and takes whole answers at once), but not the other half: a request that waits
(a save whose PDFs are being checked in child processes, an import preview, a cold page on
the database) held a whole worker, and two of them are all a 2-core server runs. With threads
such a request holds one thread of four, the others go on serving, and the waits (PostgreSQL,
the PDF checker, the object store) release the GIL. An idle kept-alive connection waits in
the worker's poller, holding no thread. What threads do not buy: gunicorn alone still has only
workers x threads slots for slow clients (8 here), which is why production runs behind nginx.

One thing changes with it: gunicorn's `timeout` only restarts a worker whose main loop hangs,
not one whose request runs long, so each long path bounds itself (PDF_BATCH_SECONDS, the
import queue); nginx answers 504 after proxy_read_timeout.
"""

worker_class = "gthread"
threads = 4
