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

all: $(addprefix $(B)/,$(PROGRAMS)) $(addprefix $(B)/test/,$(UNITS))

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

check: all
	test/run

clean:
	rm -rf build build-san

.PHONY: all check clean
