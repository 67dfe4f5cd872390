# The ClassLink SIS connector, its host API, a mock host and their tests.
#   make            build everything into $(BUILD)
#   make check      install missing packages, run every suite, then again under ASan+UBSan
#   make demo       install missing packages and run the main job on the simulator
#   make install    headers + pkg-config file + plugin + mock-host under $(DESTDIR)$(PREFIX)

# The one source of the version: plugin, manifests, mock-host, pkg-config.
VERSION  := 0.2.0
BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
SAN      ?= 0

# Each component links only what it uses: the plugin's NEEDED is libcurl,
# json-c, libcrypto and libc (a host must not inherit our storage choices).
PLUGIN_PKGS = libcurl json-c libcrypto
HOST_PKGS   = json-c sqlite3 libpq libcrypto libmicrohttpd
SIM_PKGS    = libmicrohttpd libcrypto json-c zlib
PKGS        = libcurl json-c sqlite3 libpq libcrypto libmicrohttpd zlib
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) check)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS))
PLUGIN_LIBS = $(shell pkg-config --libs $(PLUGIN_PKGS))
HOST_LIBS   = $(shell pkg-config --libs $(HOST_PKGS)) -ldl
SIM_LIBS    = $(shell pkg-config --libs $(SIM_PKGS)) -lm
CHECK_LIBS  = $(shell pkg-config --libs check)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
ifeq ($(SAN),1)
CFLAGS   = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -pthread -fPIC -Ihost-api -Iplugin-kit $(PKG_CFLAGS) \
             -DCL_PLUGIN_VERSION='"$(VERSION)"' -DMH_VERSION='"$(VERSION)"'
LDFLAGS += -pthread

# plugin-kit/ is compiled into each plugin (hidden symbols, not part of the ABI).
KIT_SRC    = $(wildcard plugin-kit/*.c)
PLUGIN_SRC = $(wildcard plugin/*.c) $(KIT_SRC)
HOST_SRC   = $(filter-out mock-host/main.c,$(wildcard mock-host/*.c))
SIM_SRC    = $(wildcard tests/sim/*.c)
TEST_SRC   = $(wildcard tests/check_*.c) tests/testutil.c tests/simctl.c tests/mhtest.c tests/pgtest.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

PLUGIN_SO  = $(BUILD)/classlink_sis.so
MOCK_HOST  = $(BUILD)/mock-host
SIMULATOR  = $(BUILD)/classlink-sim
TEST_RUNNER = $(BUILD)/check_all
TEST_PLUGINS = $(patsubst %,$(BUILD)/test-plugins/%.so,good newer_abi null_slot wrong_identity bad_decl sso)
FUZZ_TARGETS = parser headers manifest url imsx time csv csvmanifest
FUZZ_REPLAY  = $(patsubst %,$(BUILD)/fuzz-replay/%,$(FUZZ_TARGETS))

.PHONY: all check test demo deps install clean bench bench-tools fuzz soak valgrind print-version

all: $(PLUGIN_SO) $(BUILD)/classlink.manifest $(MOCK_HOST) $(SIMULATOR) $(TEST_RUNNER) $(TEST_PLUGINS) \
     $(FUZZ_REPLAY)

deps:
	@sh scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -fvisibility=hidden -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(PLUGIN_SO): $(call obj,$(PLUGIN_SRC)) plugin/classlink.map
	$(CC) -shared $(LDFLAGS) -Wl,--version-script=plugin/classlink.map -Wl,-z,defs -Wl,-z,now \
	  -o $@ $(call obj,$(PLUGIN_SRC)) $(PLUGIN_LIBS)

# The manifest beside the built library, so each build dir is a plugin folder.
$(BUILD)/classlink.manifest: plugin.manifest Makefile
	@mkdir -p $(BUILD)
	sed 's#@VERSION@#$(VERSION)#' $< > $@

print-version:
	@echo $(VERSION)

$(BUILD)/libmockhost.a: $(call obj,$(HOST_SRC))
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libclplugin.a: $(call obj,$(PLUGIN_SRC))
	rm -f $@ && ar rcs $@ $^

$(MOCK_HOST): $(call obj,mock-host/main.c) $(BUILD)/libmockhost.a
	$(CC) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)

$(SIMULATOR): $(call obj,$(SIM_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ $(SIM_LIBS)

$(BUILD)/test-plugins/%.so: tests/plugins/test_plugin.c $(wildcard host-api/sis/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -shared $(LDFLAGS) -DVARIANT_$* \
	  -Wl,--version-script=tests/plugins/test_plugin.map -o $@ $<

$(TEST_RUNNER): $(call obj,$(TEST_SRC)) $(BUILD)/libmockhost.a $(BUILD)/libclplugin.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -ldl -lm

# Fuzz targets built as plain programs that replay the seed corpus and every
# past finding (tests/fuzz/regressions/NAME), in every `make test`.
$(BUILD)/fuzz-replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(BUILD)/libclplugin.a \
                        $(BUILD)/libmockhost.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -ldl

# The suites read these to find what they test.
TEST_ENV = TEST_BUILD_DIR=$(abspath $(BUILD)) TEST_SRC_DIR=$(CURDIR) CK_FORK=yes \
           $(if $(filter 1,$(SAN)),TEST_SANITIZED=1)

test: all
	@for t in $(FUZZ_TARGETS); do \
	  $(BUILD)/fuzz-replay/$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t >/dev/null || exit 1; \
	done
	$(TEST_ENV) $(TEST_RUNNER)

# Both builds first, then their suites side by side (scripts/check.sh).
check: deps
	$(MAKE) -j2 all
	$(MAKE) -j2 BUILD=build-asan SAN=1 all
	@MAKE="$(MAKE)" sh scripts/check.sh
	@echo "check: all suites passed, plain and under ASan+UBSan"

# libFuzzer campaigns (clang), FUZZ_SECONDS each; findings land in
# build-fuzz/findings/NAME: copy each into tests/fuzz/regressions/NAME.
FUZZ_SECONDS ?= 60
FUZZ_SRC = $(PLUGIN_SRC) mock-host/manifest.c
fuzz: deps
	@WITH_CLANG=1 sh scripts/install-deps.sh
	@mkdir -p build-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: building $$t"; \
	  clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Ihost-api \
	    $(PKG_CFLAGS) -DCL_PLUGIN_VERSION='"$(VERSION)"' -o build-fuzz/fuzz_$$t \
	    tests/fuzz/fuzz_$$t.c $(FUZZ_SRC) $(PKG_LIBS) -ldl || exit 1; \
	done
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/findings/$$t; \
	  cp -n tests/fuzz/corpus/$$t/* build-fuzz/corpus/$$t/ 2>/dev/null; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -artifact_prefix=build-fuzz/findings/$$t/ build-fuzz/corpus/$$t 2>build-fuzz/$$t.log \
	    || { tail -30 build-fuzz/$$t.log; echo "fuzz: finding in build-fuzz/findings/$$t"; exit 1; }; \
	  grep -E '^(#[0-9]+|Done)' build-fuzz/$$t.log | tail -1; \
	done
	@echo "fuzz: no findings"

# SIGKILL during syncs, at random moments, 20 times, checking the database after each.
soak: deps
	$(MAKE) all
	$(TEST_ENV) TEST_KILL_TRIALS=20 CK_RUN_SUITE=sync CK_RUN_CASE=kill $(TEST_RUNNER)

# memcheck on mock-host (with the plugin loaded) as the suites drive it, and
# on the unit suites themselves.  No errors, nothing definitely lost.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
           --show-leak-kinds=definite
valgrind: deps
	@WITH_VALGRIND=1 sh scripts/install-deps.sh
	$(MAKE) all
	$(TEST_ENV) CK_FORK=no $(VALGRIND) $(TEST_RUNNER) headers manifest loader store oauth1 parser
	$(TEST_ENV) CK_TIMEOUT_MULTIPLIER=20 MH_WRAP="$(VALGRIND)" $(TEST_RUNNER) cli connect fields itxm

# Benchmarks: optimised build, a million-user district, figures as ratios
# against a baseline measured in the same run.  Not part of `make check`.
BENCH_TOOLS = $(BUILD)/bench/measure $(BUILD)/bench/baseline-sync

$(BUILD)/bench/measure: tests/bench/measure.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/bench/baseline-sync: tests/bench/baseline.c $(BUILD)/libclplugin.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

bench-tools: all $(BENCH_TOOLS)

# The Node.js peer of `make bench`, its npm packages pinned by the lock file,
# installed into the build folder (never by `make check`).
NODE_PEER = tests/bench/node-peer
$(BUILD)/node-peer/.installed: $(NODE_PEER)/package.json $(NODE_PEER)/package-lock.json $(NODE_PEER)/peer.js
	@mkdir -p $(dir $@)
	cp $(NODE_PEER)/package.json $(NODE_PEER)/package-lock.json $(NODE_PEER)/peer.js $(dir $@)
	cd $(dir $@) && npm ci --no-audit --no-fund
	node $(dir $@)peer.js --selftest
	touch $@

bench: deps
	@WITH_NODE=1 sh scripts/install-deps.sh
	$(MAKE) BUILD=build-bench CFLAGS="-O2 -g -DNDEBUG" bench-tools build-bench/node-peer/.installed
	sh scripts/bench.sh build-bench build-bench/node-peer

demo: deps
	$(MAKE) all
	sh scripts/demo.sh $(BUILD)

install: $(PLUGIN_SO) $(MOCK_HOST) $(BUILD)/classlink.manifest
	install -d $(DESTDIR)$(PREFIX)/include/sis $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/lib/sis-plugins $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/share/sis-plugin-kit
	install -m 644 host-api/sis/*.h $(DESTDIR)$(PREFIX)/include/sis/
	install -m 644 plugin-kit/sis_kit.h plugin-kit/sis_kit.c plugin-kit/sis_kit_url.h \
	  plugin-kit/sis_kit_url.c $(DESTDIR)$(PREFIX)/share/sis-plugin-kit/
	sed -e 's#@PREFIX@#$(PREFIX)#' -e 's#@VERSION@#$(VERSION)#' host-api/sis.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sis-plugin-api.pc
	install -m 755 $(PLUGIN_SO) $(DESTDIR)$(PREFIX)/lib/sis-plugins/
	install -m 644 $(BUILD)/classlink.manifest $(DESTDIR)$(PREFIX)/lib/sis-plugins/
	install -m 755 $(MOCK_HOST) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build build-asan build-bench build-fuzz build-dev

# mock-host finds the plugins of its own build folder unless told otherwise.
$(call obj,mock-host/main.c): ALL_CFLAGS += -DMH_PLUGIN_PATH='"$(abspath $(BUILD))"'

include oneroster-csv/build.mk
