# SPDX-License-Identifier: BSD-2-Clause
# layering.sh - nothing includes libmilter, only the glue includes
# <sys/epoll.h>, only milter/dns* includes ldns, only metrics_http
# includes microhttpd.h, and doc/HACKING.md's module map matches the
# includes.
exec python3 "${top_srcdir:-.}/test/layering.py" "${top_srcdir:-.}"
