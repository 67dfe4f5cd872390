# oneroster-csv/build.mk - the OneRoster CSV plugin, included by the main
# Makefile (after its own rules, so the variables below extend its targets).
#   build/oneroster_csv.so         the plugin (exports only oneroster_csv_entry)
#   build/oneroster-csv.manifest   beside it, so mock-host finds it
#   build/liboneroster_csv.a       its modules, for check_all and the fuzz replays

ORC_SRC  = $(wildcard oneroster-csv/*.c) $(KIT_SRC)
ORC_HDR  = $(wildcard oneroster-csv/*.h)
ORC_LIBS = $(shell pkg-config --libs libzip) -lcsv -lcurl
ORC_SO   = $(BUILD)/oneroster_csv.so
ORC_LIB  = $(BUILD)/liboneroster_csv.a
ORC_TOOLS = $(BUILD)/bench/gen-oneroster-users $(BUILD)/bench/oneroster-stream

all: $(ORC_SO) $(BUILD)/oneroster-csv.manifest $(ORC_TOOLS)

$(call obj,$(ORC_SRC)): $(ORC_HDR)
$(call obj,$(ORC_SRC)): ALL_CFLAGS += $(shell pkg-config --cflags libzip) \
                                      -DORC_PLUGIN_VERSION='"$(VERSION)"'

# Linked only with what it uses: libcurl, libzip, libcsv and libc.
$(ORC_SO): $(call obj,$(ORC_SRC)) oneroster-csv/oneroster_csv.map
	$(CC) -shared $(LDFLAGS) -Wl,--version-script=oneroster-csv/oneroster_csv.map -Wl,-z,defs \
	  -Wl,-z,now -Wl,--as-needed -o $@ $(call obj,$(ORC_SRC)) $(ORC_LIBS)

# Versioned like plugin.manifest: the host checks it equals the library's.
$(BUILD)/oneroster-csv.manifest: oneroster-csv/oneroster-csv.manifest Makefile
	@mkdir -p $(BUILD)
	sed 's#@VERSION@#$(VERSION)#' $< > $@

$(ORC_LIB): $(call obj,$(ORC_SRC))
	rm -f $@ && ar rcs $@ $^

# check_all and the fuzz replays link the modules statically.
$(TEST_RUNNER): $(ORC_LIB)
$(TEST_RUNNER): PKG_LIBS += $(ORC_LIBS)
$(BUILD)/fuzz-replay/csv $(BUILD)/fuzz-replay/csvmanifest: $(ORC_LIB)
$(BUILD)/fuzz-replay/csv $(BUILD)/fuzz-replay/csvmanifest: PKG_LIBS += $(ORC_LIBS)
FUZZ_SRC += $(ORC_SRC)
fuzz: PKG_LIBS += $(ORC_LIBS)

# A million-user users.csv for the benchmarks (make bench-tools).
$(BUILD)/bench/gen-oneroster-users: oneroster-csv/tools/gen_users.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# The plugin's own read of an export, with a sink that keeps nothing: its
# time and max RSS without a host (README "Memory").
$(BUILD)/bench/oneroster-stream: oneroster-csv/tools/stream_users.c $(ORC_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags libzip) $(LDFLAGS) -o $@ $^ $(ORC_LIBS)

# The https test serves with the simulator's throwaway-CA helper.
$(TEST_RUNNER): $(call obj,tests/sim/tls.c)
