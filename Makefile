# relay-ctrl. Needs only make, a C compiler and skalibs; see conf-*.
# make                  programs in build/
# make WERROR=1         warnings are errors (CI)
# make SANITIZE=1       ASan + UBSan build in build-san/
# make check            the whole test suite (test/run)

first = $(shell sed -n 1p $(1))
CC_CMD := $(call first,conf-cc)
LD_CMD := $(call first,conf-ld)
LIBS := $(call first,conf-lib)

B := build
ifeq ($(SANITIZE),1)
B := build-san
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
ifeq ($(WERROR),1)
CC_CMD += -Werror
endif

PROGRAMS := $(notdir $(wildcard src/deps-exe/*))
UNITS := rc-addr-unit rc-records-unit
# Race-window builds for test/t/race.t: relay-ctrl-age and -check with
# delays around their removals, and with 3.2's test-then-unlink.
RACERS := $(foreach p,age check,$(foreach v,delay naive,relay-ctrl-$(p)-$(v)))

all: $(addprefix $(B)/,$(PROGRAMS)) $(addprefix $(B)/test/,$(UNITS) $(RACERS))

$(B)/%.o: src/%.c src/rc.h | $(B)/test
	$(CC_CMD) $(SAN) -Isrc -c -o $@ $<

$(B)/test/%.o: test/unit/%.c src/rc.h | $(B)/test
	$(CC_CMD) $(SAN) -Isrc -c -o $@ $<

$(B)/test:
	mkdir -p $@

define program
$(B)/$(1): $(B)/$(1).o $(addprefix $(B)/,$(shell cat src/deps-exe/$(1))) src/deps-exe/$(1)
	$(LD_CMD) $(SAN) -o $$@ $$(filter %.o,$$^) $(LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p))))

$(B)/test/rc-addr-unit: $(B)/test/rc-addr-unit.o $(B)/rc_addr.o
	$(LD_CMD) $(SAN) -o $@ $^ $(LIBS)
$(B)/test/rc-records-unit: $(B)/test/rc-records-unit.o $(B)/rc_records.o $(B)/rc_log.o
	$(LD_CMD) $(SAN) -o $@ $^ $(LIBS)

$(B)/test/rc_spool-delay.o: src/rc_spool.c src/rc.h | $(B)/test
	$(CC_CMD) $(SAN) -Isrc -DRC_TEST_DELAY_MS=400 -c -o $@ $<
$(B)/test/rc_spool-naive.o: src/rc_spool.c src/rc.h | $(B)/test
	$(CC_CMD) $(SAN) -Isrc -DRC_TEST_DELAY_MS=400 -DRC_TEST_NAIVE -c -o $@ $<
$(B)/test/relay-ctrl-%-delay: $(B)/test/rc_spool-delay.o $(B)/relay-ctrl-%
	$(LD_CMD) $(SAN) -o $@ $(B)/relay-ctrl-$*.o $(filter-out $(B)/rc_spool.o,$(addprefix $(B)/,$(shell cat src/deps-exe/relay-ctrl-$*))) $< $(LIBS)
$(B)/test/relay-ctrl-%-naive: $(B)/test/rc_spool-naive.o $(B)/relay-ctrl-%
	$(LD_CMD) $(SAN) -o $@ $(B)/relay-ctrl-$*.o $(filter-out $(B)/rc_spool.o,$(addprefix $(B)/,$(shell cat src/deps-exe/relay-ctrl-$*))) $< $(LIBS)

check: all
	test/run

clean:
	rm -rf build build-san

.PHONY: all check clean
