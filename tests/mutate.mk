# Incremental host unit-test build for tests/mutate.sh (make mutate): the same sources and
# flags as `make unit`, one object per file, so a mutant recompiles only what it changed.
include Makefile

MUT_HOST_OBJ := $(patsubst %.c,$(BUILD)/host-obj/%.o,$(HOST_CORE) $(HOST_TESTS))

$(BUILD)/host-obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/host/unit-incr: $(MUT_HOST_OBJ)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $^ -o $@
