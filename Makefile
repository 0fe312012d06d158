# ngx_http_prov_module
#
#   make                 build build/ngx_http_prov_module.so against Debian's
#                        nginx-dev tree (or NGINX_SRC=/path/to/nginx-x.y.z),
#                        and build/prov-acl (tools/prov-acl.c, liblmdb)
#   make test            the whole test suite (t/*.t)
#   NGINX_SUITE=suite    with make, make test, make demo: the nginx of that
#                        Debian suite (bullseye 1.18, bookworm 1.22, trixie
#                        1.26, sid) built from its source package with
#                        Debian's flags, and the module against it, in
#                        build/nginx-<suite>/ (scripts/build-nginx.sh);
#                        NGINX_PCRE1=1: with the old PCRE library
#   make test-asan       the suite against a whole nginx built from Debian's
#                        nginx source with the module compiled in and
#                        ASan, LSan and UBSan (build/asan/); fails on any
#                        sanitizer report
#   make test-valgrind   the suite with Debian's nginx and the module under
#                        valgrind memcheck; fails on any report (slow)
#   make demo            throwaway PKI, nginx on 127.0.0.1, devices fetching
#   make bench           stock nginx, a map config, the module and Apache side
#                        by side: bench/results/compare.md (bench/compare.sh);
#                        QUICK=1: a short run that fails on a broken
#                        benchmark or a costlier request (CI)
#   make bench-acl       access list load and lookup benchmarks, prov-acl
#                        import, the LMDB list against the in-memory table
#                        (bench/)
#   make stress          reloads under load, a broken access list, missing
#                        profiles, 1000 devices at once, three nodes with
#                        LMDB lists fed one change stream, prov-acl killed
#                        in an import, each with a verdict:
#                        stress/results/stress.md (stress/stress.sh)
#   make deb             the Debian package libnginx-mod-http-prov (debian/),
#                        into build/deb/
#   make test-deb        as root: installs that package, runs nginx -t with
#                        the module enabled, deploys examples/debian/ into
#                        /etc/nginx by README's marked blocks and serves
#                        devices with Debian's nginx, removes it all again
#                        (t/deb/)
#   make fuzz            libFuzzer targets (fuzz/*.c) with ASan and UBSan:
#                        replays fuzz/corpus/, then FUZZ_SECONDS per target
#   make clean

NGINX_SRC ?= /usr/share/nginx/src
BUILD     ?= $(CURDIR)/build
ASAN_BUILD = $(BUILD)/asan

# NGINX_SUITE=bullseye|bookworm|trixie|sid: that suite's nginx and the
# module built against it, both under build/nginx-<suite>[-pcre1]/
NGINX_SUITE ?=
NGINX_PCRE1 ?=

ifneq ($(NGINX_SUITE),)
SUITE_BUILD = $(BUILD)/nginx-$(NGINX_SUITE)$(if $(NGINX_PCRE1),-pcre1)
NGINX_BIN   = $(SUITE_BUILD)/sbin/nginx
MODULE      = $(SUITE_BUILD)/ngx_http_prov_module.so
else
NGINX_BIN  ?= /usr/sbin/nginx
MODULE      = $(BUILD)/ngx_http_prov_module.so
endif

BUILD_PACKAGES = gcc make nginx nginx-dev libssl-dev libpcre2-dev zlib1g-dev \
                 liblmdb-dev
# what scripts/build-nginx.sh needs for a suite's nginx (bullseye's 1.18
# knows only PCRE1)
SUITE_PACKAGES = gcc make dpkg-dev libssl-dev zlib1g-dev liblmdb-dev \
                 $(if $(NGINX_PCRE1)$(filter bullseye,$(NGINX_SUITE)),libpcre3-dev,libpcre2-dev)
# python3: t/017 runs fail2ban-regex from Debian's fail2ban package, which
# scripts/fail2ban.sh unpacks into build/ (installing it would start a
# fail2ban daemon)
# lmdb-utils: t/070 checks prov-acl's databases with mdb_stat and mdb_dump;
# groff-base: and its man page with groff -ww
TEST_PACKAGES  = $(BUILD_PACKAGES) openssl perl libtest-base-perl \
                 libio-socket-ssl-perl python3 lmdb-utils groff-base
# scripts/build-asan.sh installs what the ASan build needs (clang, dpkg-dev,
# ...); Debian's nginx source comes with scripts/nginx-source.sh
ASAN_PACKAGES  = openssl perl libtest-base-perl libio-socket-ssl-perl \
                 python3 liblmdb-dev lmdb-utils
VALGRIND_PACKAGES = $(TEST_PACKAGES) valgrind
DEMO_PACKAGES  = $(BUILD_PACKAGES) openssl curl
DEB_PACKAGES   = $(BUILD_PACKAGES) build-essential dpkg-dev debhelper
# make test-deb: README's deploy fetches with curl, trial-pki.sh runs openssl
TEST_DEB_PACKAGES = curl openssl
STRESS_PACKAGES = $(BUILD_PACKAGES) openssl perl libio-socket-ssl-perl
# make bench: ab (apache2-utils), curl with HTTP/2, valgrind, strace;
# coreutils' timeout and util-linux's taskset are in every Debian
BENCH_PACKAGES = $(BUILD_PACKAGES) openssl curl perl apache2-utils valgrind \
                 strace

FUZZ_PACKAGES  = clang libclang-rt-14-dev binutils make dpkg-dev libssl-dev \
                 libpcre2-dev zlib1g-dev libcrypt-dev liblmdb-dev

FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  ?=

SOURCES = config $(wildcard ngx_http_prov_module/*.[ch])

# prov-acl: the line format is the module's own file, built without nginx
PROV_ACL       = $(BUILD)/prov-acl
PROV_ACL_SRC   = tools/prov-acl.c ngx_http_prov_module/ngx_http_prov_acl_line.c
PROV_ACL_DEPS  = $(PROV_ACL_SRC) ngx_http_prov_module/ngx_http_prov_acl_line.h
PROV_ACL_CFLAGS ?= -g -O2 -fstack-protector-strong -Wformat \
                   -Werror=format-security -D_FORTIFY_SOURCE=2
PROV_ACL_LDFLAGS ?=

.PHONY: all module tool build-deps test test-deps demo demo-keep bench bench-acl deb \
        test-deb stress fuzz asan test-asan test-valgrind clean

all: module tool

tool: $(PROV_ACL)

$(PROV_ACL): $(PROV_ACL_DEPS)
	@bash scripts/deps.sh --check gcc liblmdb-dev
	@mkdir -p $(BUILD)
	$(CC) -std=c99 -D_DEFAULT_SOURCE -DNGX_HTTP_PROV_ACL_TOOL=1 \
	    $(PROV_ACL_CFLAGS) -Wall -Wextra -Werror \
	    -Ingx_http_prov_module -o $@.new $(PROV_ACL_SRC) \
	    $(PROV_ACL_LDFLAGS) -llmdb
	@mv -f $@.new $@

module: build-deps
ifneq ($(NGINX_SUITE),)
	NGINX_SUITE=$(NGINX_SUITE) NGINX_PCRE1=$(NGINX_PCRE1) \
	    bash scripts/build-nginx.sh $(SUITE_BUILD)
else
	bash scripts/build-module.sh $(NGINX_SRC) $(BUILD)
endif

# "make" alone only says which build packages are missing: it installs
# nothing on a host that may be running the provider's nginx
build-deps:
ifneq ($(NGINX_SUITE),)
	@bash scripts/deps.sh --check $(SUITE_PACKAGES)
else
	@bash scripts/deps.sh --check $(if $(filter /usr/share/nginx/src,$(NGINX_SRC)),$(BUILD_PACKAGES),gcc make libssl-dev libpcre2-dev zlib1g-dev liblmdb-dev)
endif

test-deps:
	@bash scripts/deps.sh $(TEST_PACKAGES) $(if $(NGINX_SUITE),$(SUITE_PACKAGES))

test: test-deps
	@$(MAKE) --no-print-directory module tool
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) BUILD=$(BUILD) \
	    PROV_ACL=$(PROV_ACL) bash scripts/run-tests.sh $(T)

# nginx from Debian's source package, the module compiled in, sanitizers:
# $(ASAN_BUILD)/sbin/nginx
asan:
	NGINX_SUITE= bash scripts/build-asan.sh $(ASAN_BUILD) $(BUILD)/src

test-asan: asan tool
	@bash scripts/deps.sh $(ASAN_PACKAGES)
	ASAN_BUILD=$(ASAN_BUILD) BUILD=$(BUILD) bash scripts/test-asan.sh $(T)

test-valgrind:
	@bash scripts/deps.sh $(VALGRIND_PACKAGES)
	@$(MAKE) --no-print-directory module tool
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) BUILD=$(BUILD) \
	    VALGRIND_BUILD=$(BUILD)/valgrind bash scripts/test-valgrind.sh $(T)

demo:
	@bash scripts/deps.sh $(DEMO_PACKAGES) $(if $(NGINX_SUITE),$(SUITE_PACKAGES))
	@$(MAKE) --no-print-directory module tool
	@echo "nginx under test: $$($(NGINX_BIN) -v 2>&1 | sed 's/^nginx version: //') ($(NGINX_BIN))"
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) BUILD=$(BUILD) bash examples/demo/demo.sh $(DEMO_ARGS)

# requests/s, handshakes/s, instructions/request, memory: floor, map, module,
# Apache, in one run (ROUNDS=, ACL_LARGE=, ... : see bench/compare.sh).
# The module with a 10^7-device LMDB list (prov_acl lmdb:, made by prov-acl
# import) among them.  QUICK=1: a few short rounds, no Apache, callgrind on
# the floor, the module and its LMDB list; fails when the module's kept-alive
# request (file or LMDB list) costs more than 3,000 instructions above the
# floor's (CI)
bench:
	@bash scripts/deps.sh $(BENCH_PACKAGES) $(if $(filter-out 0,$(QUICK)),,apache2)
	@$(MAKE) --no-print-directory module tool
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) BUILD=$(BUILD) QUICK=$(QUICK) \
	    bash bench/compare.sh

# ACL load time and memory against a stock map, lookup cost against size;
# prov-acl import time, memory and file size (fails past 60 s or 64 bytes
# per device at 10^7: bench/prov-acl-import.sh); the LMDB list against the
# in-memory table: ns per lookup (bench/lookup.c, built against the module's
# objects from Debian's nginx source), import, workers' memory, 100
# changes/s under load (bench/acl-lmdb.sh)
bench-acl:
	@bash scripts/deps.sh $(DEMO_PACKAGES) time perl libio-socket-ssl-perl \
	    binutils dpkg-dev
	@$(MAKE) --no-print-directory module tool
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) bash bench/acl-load.sh $(SIZES)
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) bash bench/acl-lookup.sh
	PROV_ACL=$(PROV_ACL) bash bench/prov-acl-import.sh $(IMPORT_SIZES)
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) BUILD=$(BUILD) \
	    PROV_ACL=$(PROV_ACL) bash bench/acl-lmdb.sh $(LMDB_SIZES)

# its own nginx on 127.0.0.1:22443 (STRESS_PORT=), then three on the next
# ports, clients forked in Perl;
# about 3 minutes on 2 cores (FLEET=, PROCS=, RELOAD_SECONDS=, NODES_*=, BIG=:
# see stress/stress.sh and stress/nodes.sh)
stress:
	@bash scripts/deps.sh $(STRESS_PACKAGES)
	@$(MAKE) --no-print-directory module tool
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) BUILD=$(BUILD) bash stress/stress.sh

# dpkg-buildpackage -b on a copy of the tree: build/deb/*.deb
deb:
	@bash scripts/deps.sh $(DEB_PACKAGES)
	bash scripts/build-deb.sh $(BUILD)/deb

# installs the package (DEB=path/to.deb, or builds one), checks it, removes it
test-deb:
	@if [ "$$(id -u)" -ne 0 ]; then \
	    echo "make test-deb installs and removes a Debian package" \
	         "(dpkg, /etc/nginx): run it as root" >&2; \
	    exit 1; \
	fi
	@bash scripts/deps.sh $(TEST_DEB_PACKAGES)
	BUILD=$(BUILD) bash t/deb/test-deb.sh $(DEB)

# nginx's Debian source, built with clang into build/fuzz/; each target
# (FUZZ_TARGETS=, default all: acl cert import mac profile value) replays
# its corpus, then fuzzes for FUZZ_SECONDS (scripts/run-fuzz.sh); import and
# value are built as prov-acl is, without nginx
fuzz:
	@bash scripts/deps.sh $(FUZZ_PACKAGES)
	NGINX_SUITE= bash scripts/run-fuzz.sh $(BUILD)/src $(BUILD)/fuzz $(FUZZ_SECONDS) \
	    $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) t/servroot*

demo-keep:
	$(MAKE) demo DEMO_ARGS=--keep
