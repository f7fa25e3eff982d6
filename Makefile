# relay-ctrl. Needs only make, a C compiler and skalibs; see conf-*.
# make                  programs in build/: static musl when musl-gcc is
#                       there (musl-tools, dpkg-dev; skalibs and hiredis
#                       from Debian's source packages, tools/musl-skalibs),
#                       otherwise, or when that fails (offline), glibc
# make MUSL=0           glibc build in build/ (make MUSL=0 B=build-glibc:
#                       in build-glibc/)
# make MUSL=1           static musl build in build-musl/, failing if it can't
# make WERROR=1         warnings are errors (CI)
# make SANITIZE=1       ASan + UBSan build in build-san/ (glibc)
# make check            the whole test suite (test/run)
# make fuzz             libFuzzer harnesses (fuzz/*.c) in build-fuzz/ (clang)
# make lint             cppcheck and clang-tidy over src/ (tools/lint)
# make bench            benchmarks (bench/run), see doc/PERFORMANCE.md

first = $(shell sed -n 1p $(1))
CC_CMD := $(call first,conf-cc)
LD_CMD := $(call first,conf-ld)
LIBS := $(call first,conf-lib)

# MUSL: auto (the default), 0 or 1; see above.
MUSL ?= auto
B := build
ifeq ($(SANITIZE),1)
B := build-san
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(MUSL),1)
$(error MUSL=1 and SANITIZE=1 do not go together)
endif
override MUSL := 0
endif
ifeq ($(MUSL),1)
B := build-musl
endif
# auto and 1: tools/musl-skalibs puts musl builds of skalibs (and hiredis)
# in $(B)/skalibs, when make is asked for more than cleaning or linting.
ifneq ($(MUSL),0)
ifneq ($(filter-out clean clean-% lint fuzz build-fuzz/%,$(or $(MAKECMDGOALS),all)),)
ifeq ($(shell command -v musl-gcc),)
ifeq ($(MUSL),1)
$(error no musl-gcc: install Debian's musl-tools)
endif
$(info make: a glibc build; for the faster static musl one: apt-get install musl-tools dpkg-dev, then make again (make MUSL=0 keeps glibc))
override MUSL := 0
else ifneq ($(shell tools/musl-skalibs $(B)/skalibs >&2 && echo ok),ok)
ifeq ($(MUSL),1)
$(error tools/musl-skalibs failed, so no musl build)
endif
$(info make: no musl skalibs (see above), so a glibc build; make MUSL=0 chooses it without trying)
override MUSL := 0
else
override MUSL := 1
endif
endif
endif
ifeq ($(MUSL),1)
CC_CMD := musl-gcc $(wordlist 2,$(words $(CC_CMD)),$(CC_CMD)) -I$(B)/skalibs/include
LD_CMD := musl-gcc -static -L$(B)/skalibs/lib
LIBS := $(B)/skalibs/lib/libskarnet.a
endif
ifeq ($(WERROR),1)
CC_CMD += -Werror
endif

# conf-redis: hiredis linked statically, or a stub that says it is
# missing. auto: yes when its header is there (Debian: libhiredis-dev;
# for MUSL=1, tools/musl-skalibs builds a musl libhiredis.a of the same
# version from Debian's source).
BASE_LIBS := $(LIBS)
REDIS := $(call first,conf-redis)
ifeq ($(REDIS),auto)
REDIS := $(if $(wildcard /usr/include/hiredis/hiredis.h),yes,no)
endif
ifeq ($(REDIS),yes)
LIBS += -l:libhiredis.a
else
REDIS_FLAGS := -DRC_NO_REDIS
endif

PROGRAMS := $(notdir $(wildcard src/deps-exe/*))
# relay-ctrl-drac speaks ONC RPC through libtirpc (Debian: libtirpc-dev),
# which musl does not have: a musl build gets a glibc relay-ctrl-drac
# (a daemon, so its start-up cost does not matter), built in $(B)/glibc.
ifeq ($(MUSL),1)
PROGRAMS := $(filter-out relay-ctrl-drac,$(PROGRAMS))
all: $(B)/relay-ctrl-drac
$(B)/relay-ctrl-drac: FORCE | $(B)/test
	$(MAKE) --no-print-directory MUSL=0 B=$(B)/glibc $(B)/glibc/relay-ctrl-drac
	cmp -s $(B)/glibc/relay-ctrl-drac $@ || cp $(B)/glibc/relay-ctrl-drac $@
endif
TIRPC_CFLAGS := -I/usr/include/tirpc
LIBS_relay-ctrl-drac := -ltirpc
UNITS := rc-addr-unit rc-records-unit rc-hmac-unit rc-packet-unit
# Race-window builds for test/t/race.t: relay-ctrl-age and -check with
# delays around their removals, and with 3.2's test-then-unlink.
RACERS := $(foreach p,age check,$(foreach v,delay naive,relay-ctrl-$(p)-$(v)))
# Built without hiredis whatever conf-redis says, for test/t/redis.t and
# test/t/redis-ops.t.
NOREDIS := relay-ctrl-allow-noredis relay-ctrl-check-noredis relay-ctrl-query-noredis

all: $(addprefix $(B)/,$(PROGRAMS)) $(addprefix $(B)/test/,$(UNITS) $(RACERS) $(NOREDIS))

# Builds notice their inputs: $(B)/conf.stamp holds the settings as
# resolved from conf-* (conf-redis's auto included) and changes only when
# they do, and every object depends on it; -MMD writes each object's
# header dependencies next to it.
CONF_NOW := $(strip $(CC_CMD) $(SAN) | $(LD_CMD) | $(LIBS) | redis=$(REDIS))
ifneq ($(CONF_NOW),$(strip $(shell cat $(B)/conf.stamp 2>/dev/null)))
$(B)/conf.stamp: FORCE
endif
$(B)/conf.stamp: | $(B)/test
	@echo '$(CONF_NOW)' >$@
FORCE:
.PHONY: FORCE
DEPFLAGS = -MMD -MP
-include $(wildcard $(B)/*.d $(B)/test/*.d)

$(B)/%.o: src/%.c src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc -c -o $@ $<

$(B)/test/%.o: test/unit/%.c src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc -c -o $@ $<

$(B)/test:
	mkdir -p $@

# The installed envdir, for the operations tools run without one.
$(B)/rc_etc.o: CC_CMD += -DRC_ETC='"$(call first,conf-etc)"'
$(B)/rc_etc.o: conf-etc

define program
$(B)/$(1): $(B)/$(1).o $(addprefix $(B)/,$(shell cat src/deps-exe/$(1))) src/deps-exe/$(1) $(B)/conf.stamp
	$(LD_CMD) $(SAN) -o $$@ $$(filter %.o,$$^) $(LIBS) $(LIBS_$(1))
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p))))

$(B)/test/rc-addr-unit: $(B)/test/rc-addr-unit.o $(B)/rc_addr.o
	$(LD_CMD) $(SAN) -o $@ $^ $(LIBS)
$(B)/test/rc-records-unit: $(B)/test/rc-records-unit.o $(B)/rc_records.o $(B)/rc_log.o
	$(LD_CMD) $(SAN) -o $@ $^ $(LIBS)
$(B)/test/rc-hmac-unit: $(B)/test/rc-hmac-unit.o $(B)/rc_hmac.o $(B)/rc_sha256.o
	$(LD_CMD) $(SAN) -o $@ $^ $(LIBS)
$(B)/test/rc-packet-unit: $(B)/test/rc-packet-unit.o $(B)/rc_packet.o $(B)/rc_hmac.o $(B)/rc_sha256.o
	$(LD_CMD) $(SAN) -o $@ $^ $(LIBS)
$(addprefix $(B)/,rc_hmac.o rc_packet.o rc_key.o rc_net.o relay-ctrl-send.o relay-ctrl-udp.o relay-ctrl-keyfd.o test/rc-hmac-unit.o test/rc-packet-unit.o): src/rc_packet.h
$(addprefix $(B)/,relay-ctrl-udp.o rc_udp_config.o rc_udp_request.o rc_replay.o rc_udp_batch.o rc_udp_entries.o): src/rc_packet.h src/rc_udp.h
$(addprefix $(B)/,rc_hmac.o rc_sha256.o): src/rc_sha256.h

$(B)/test/rc_spool-delay.o: src/rc_spool.c src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc -DRC_TEST_DELAY_MS=400 -c -o $@ $<
$(B)/test/rc_spool-naive.o: src/rc_spool.c src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc -DRC_TEST_DELAY_MS=400 -DRC_TEST_NAIVE -c -o $@ $<
$(B)/test/relay-ctrl-%-delay: $(B)/test/rc_spool-delay.o $(B)/relay-ctrl-%
	$(LD_CMD) $(SAN) -o $@ $(B)/relay-ctrl-$*.o $(filter-out $(B)/rc_spool.o,$(addprefix $(B)/,$(shell cat src/deps-exe/relay-ctrl-$*))) $< $(LIBS)
$(B)/test/relay-ctrl-%-naive: $(B)/test/rc_spool-naive.o $(B)/relay-ctrl-%
	$(LD_CMD) $(SAN) -o $@ $(B)/relay-ctrl-$*.o $(filter-out $(B)/rc_spool.o,$(addprefix $(B)/,$(shell cat src/deps-exe/relay-ctrl-$*))) $< $(LIBS)

$(B)/relay-ctrl-drac.o: src/relay-ctrl-drac.c src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc $(TIRPC_CFLAGS) -c -o $@ $<

$(B)/rc_redis.o: src/rc_redis.c src/rc_redis.h src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc $(REDIS_FLAGS) -c -o $@ $<
$(addprefix $(B)/relay-ctrl-,allow.o check.o list.o revoke.o query.o): src/rc_redis.h
$(addprefix $(B)/,rc_lookup.o relay-ctrl-query.o relay-ctrl-socketmap.o relay-ctrl-drac.o relay-ctrl-check.o relay-ctrl-policy.o): src/rc_lookup.h src/rc_redis.h
$(B)/relay-ctrl-redis-auth.o: src/rc_packet.h
$(B)/test/rc_redis-none.o: src/rc_redis.c src/rc_redis.h src/rc.h $(B)/conf.stamp | $(B)/test
	$(CC_CMD) $(SAN) $(DEPFLAGS) -Isrc -DRC_NO_REDIS -c -o $@ $<
$(B)/test/relay-ctrl-%-noredis: $(B)/test/rc_redis-none.o $(B)/relay-ctrl-%
	$(LD_CMD) $(SAN) -o $@ $(B)/relay-ctrl-$*.o $(filter-out $(B)/rc_redis.o,$(addprefix $(B)/,$(shell cat src/deps-exe/relay-ctrl-$*))) $< $(BASE_LIBS)

check: all
	test/run

clean:
	rm -rf build build-san build-glibc

.PHONY: all check clean FORCE

# Fuzzing: each fuzz/NAME.c with the objects listed in fuzz/deps/NAME,
# built with clang's libFuzzer, AddressSanitizer and UBSan.
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS := $(notdir $(wildcard fuzz/deps/*))

fuzz: $(addprefix build-fuzz/,$(FUZZERS))

build-fuzz:
	mkdir -p $@
FUZZ_LIBS := $(call first,conf-lib)

build-fuzz/%.o: src/%.c $(wildcard src/*.h) | build-fuzz
	$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Isrc $(FUZZ_DEFS) -c -o $@ $<
# The harnesses never reach a Redis server: its stub, and no hiredis.
build-fuzz/rc_redis.o: FUZZ_DEFS := -DRC_NO_REDIS
build-fuzz/fuzz-%.o: fuzz/%.c $(wildcard src/*.h) | build-fuzz
	$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wall -Wextra -Isrc -c -o $@ $<
# fuzz/policy.c includes the program's source, to reach its static parser.
build-fuzz/fuzz-policy.o: src/relay-ctrl-policy.c
define fuzzer
build-fuzz/$(1): build-fuzz/fuzz-$(1).o $(addprefix build-fuzz/,$(shell cat fuzz/deps/$(1))) fuzz/deps/$(1)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$(filter %.o,$$^) $(FUZZ_LIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzzer,$(f))))

lint:
	tools/lint

clean: clean-fuzz
clean-fuzz:
	rm -rf build-fuzz

.PHONY: fuzz lint clean-fuzz

# Benchmarks, not part of the tests: the glibc build (build-glibc/) and
# the musl one (build/) side by side (bench/run; doc/PERFORMANCE.md has
# the commands and figures).
BENCH_CC := $(call first,conf-cc)
BENCH_TOOLS := spawn mkspool smtpclient udpflood nop-dynamic nop-glibc-static nop-musl-static
bench: bench-tools
	$(MAKE) MUSL=0 B=build-glibc all
	$(MAKE) MUSL=1 B=build all
	bench/run
bench-tools: $(addprefix build-bench/,$(BENCH_TOOLS))
build-bench:
	mkdir -p $@
build-bench/%: bench/%.c | build-bench
	$(BENCH_CC) -o $@ $<
build-bench/nop-dynamic: bench/nop.c | build-bench
	$(BENCH_CC) -o $@ $<
build-bench/nop-glibc-static: bench/nop.c | build-bench
	$(BENCH_CC) -static -o $@ $<
build-bench/nop-musl-static: bench/nop.c | build-bench
	musl-gcc -O2 -static -o $@ $<

clean: clean-musl clean-bench
clean-musl:
	rm -rf build-musl
clean-bench:
	rm -rf build-bench

.PHONY: bench bench-tools clean-musl clean-bench
