# hv: a bare-metal type-1 hypervisor for x86-64 (UEFI application).
#   make          build build/hv.efi, the guests and build/hv.img
#   make run      boot build/hv.img in QEMU (EMU=bochs for Bochs VMX, BOCHS_CPU=ryzen for Bochs SVM)
#   make run-pxe  boot build/pxe/ over the network in QEMU (PXE: DHCP + TFTP)
#   make test     host unit tests + emulator tests (installs missing packages first)
#   make unit     host unit tests only
#   make mutate   break the code on purpose (tests/mutations/) and check the tests notice
#   make fuzz     run the libFuzzer targets (tests/fuzz/) FUZZ_SECONDS each; make fuzz-replay: seeds only
#   make run-linux    two Debian kernels and the self-test guest in QEMU (README "Running Linux")
#   make bench-linux  Linux boot cost in instructions and exits (QEMU -icount)
#   make test-slow    the emulator cases too slow for make test (Linux on Bochs)

BUILD   ?= build
CC      ?= gcc
LD      ?= ld
OBJCOPY ?= objcopy
NASM    ?= nasm
SMP     ?= 4
EMU     ?= qemu
BOCHS_CPU ?= corei7_skylake_x

EFI_INC  := /usr/include/efi
EFI_LIB  := /usr/lib
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# The hypervisor never touches FPU/SIMD state (-mgeneral-regs-only): guest
# extended state stays live in the registers across VM exits. No stack frame may
# be larger than half a guard page, so an overflow cannot step over the 4 KiB
# guard below each host stack (docs/host-faults.md).
HV_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only -maccumulate-outgoing-args \
	-fno-asynchronous-unwind-tables -DGNU_EFI_USE_MS_ABI -Wframe-larger-than=2048 \
	-I. -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 $(WARN) $(HV_EXTRA_CFLAGS)
HOST_CFLAGS := -std=c11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -DHV_HOST_TEST -I. $(WARN) -Wno-missing-prototypes

HV_C   := $(wildcard boot/*.c hv/*.c arch/x86/*.c arch/x86/svm/*.c arch/x86/vmx/*.c drivers/*.c)
HV_ASM := $(wildcard arch/x86/*.asm arch/x86/svm/*.asm arch/x86/vmx/*.asm guest/builtin.asm)
HV_OBJ := $(HV_C:%.c=$(BUILD)/hv/%.o) $(HV_ASM:%.asm=$(BUILD)/hv/%.o)

# The architecture-neutral core and the pure-logic arch files build natively
# against the fake arch layer in tests/host/.
HOST_ARCH := arch/x86/page_table.c arch/x86/page_table_la57.c arch/x86/cpu_stacks.c arch/x86/svm/svm_msrpm.c drivers/acpi_madt.c drivers/acpi_pm_timer.c drivers/ioapic.c \
	arch/x86/vmx/vmx_msr_bitmap.c arch/x86/vmx/vmx_msr_list.c arch/x86/vmx/vmx_controls.c arch/x86/efer.c \
	arch/x86/vmx/vmx_event_rules.c arch/x86/vmx/vmx_gdb_rules.c \
	arch/x86/svm/svm_intercepts.c arch/x86/guest_ram_map.c
HOST_CORE := $(filter-out hv/lib_string.c hv/builtin_guests.c,$(wildcard hv/*.c)) $(HOST_ARCH)
HOST_TESTS := $(wildcard tests/host/*.c)
HOST_BIN := $(BUILD)/host/unit

GUESTS := selftest misbehave bench xstate cpufeat apic strio gdbtarget echo power
GUEST_ELF := $(GUESTS:%=$(BUILD)/guest/%.elf)

.PHONY: all run test unit emu-test bench clean deps msr-doc cpuid-doc
all: $(BUILD)/hv.efi $(BUILD)/hv.img

deps:
	@scripts/deps.sh all

$(BUILD)/.deps-build:
	@scripts/deps.sh build
	@mkdir -p $(@D) && touch $@

# ---- hypervisor --------------------------------------------------------
$(BUILD)/hv/%.o: %.c | $(BUILD)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.o: %.asm | $(BUILD)/.deps-build
	@mkdir -p $(@D)
	$(NASM) -f elf64 -I$(BUILD)/ -I. -MD $(@:.o=.d) -MP $< -o $@

$(BUILD)/hv/guest/builtin.o: $(GUEST_ELF)
$(BUILD)/hv/arch/x86/trampoline_blob.o: $(BUILD)/trampoline.bin

$(BUILD)/trampoline.bin: arch/x86/trampoline.nasm | $(BUILD)/.deps-build
	@mkdir -p $(@D)
	$(NASM) -f bin $< -o $@

$(BUILD)/hv.so: $(HV_OBJ) linker.ld
	$(LD) -nostdlib -znocombreloc -T linker.ld -shared -Bsymbolic --no-undefined \
		$(EFI_CRT0) $(HV_OBJ) -L$(EFI_LIB) -lgnuefi -o $@

$(BUILD)/hv.efi: $(BUILD)/hv.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@

# ---- guests (32-bit multiboot kernels) ----------------------------------
GUEST_CFLAGS := -std=c11 -m32 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mno-sse -mno-mmx -mno-80387 -I. -Iguest/lib $(WARN)
GUEST_LIB_C := $(wildcard guest/lib/*.c)
GUEST_LIB_ASM := $(wildcard guest/lib/*.asm)
GUEST_LIB_OBJ := $(GUEST_LIB_C:%.c=$(BUILD)/%.o) $(GUEST_LIB_ASM:%.asm=$(BUILD)/%.o)

$(BUILD)/guest/%.o: guest/%.c | $(BUILD)/.deps-build
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest/%.o: guest/%.asm | $(BUILD)/.deps-build
	@mkdir -p $(@D)
	$(NASM) -f elf32 -Iguest/lib/ $< -o $@

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/guest/%.elf: $$(addprefix $(BUILD)/,$$(addsuffix .o,$$(basename $$(wildcard guest/$$*/*.c guest/$$*/*.asm)))) \
		$(GUEST_LIB_OBJ) guest/lib/guest.ld
	$(LD) -m elf_i386 -nostdlib -T guest/lib/guest.ld $(filter %.o,$^) -o $@

# ---- boot image ---------------------------------------------------------
$(BUILD)/hv.img: $(BUILD)/hv.efi $(GUEST_ELF) scripts/mkimg.sh
	scripts/mkimg.sh $@ $(BUILD)/hv.efi $(GUEST_ELF)

# ---- running ------------------------------------------------------------
run: all
	@scripts/deps.sh $(if $(filter bochs,$(EMU)),bochs,run)
	tests/emu/boot.sh --emu $(EMU) --smp $(SMP) --image $(BUILD)/hv.img --interactive \
		$(if $(filter bochs,$(EMU)),--bochs-cpu $(BOCHS_CPU))

# ---- Linux guests (README "Running Linux in a partition") --------------
# The Debian kernel and busybox are fetched on first use into $(BUILD)/linux/ (cached, never
# committed: scripts/linux_fetch.sh); the image holds them beside hv.efi (scripts/linux_img.sh).
LINUX_CFG ?= tests/emu/cases/linux.cfg
.PHONY: run-linux bench-linux test-slow
run-linux: all
	@scripts/deps.sh linux
	scripts/linux_img.sh $(BUILD) $(BUILD)/linux.img $(LINUX_CFG)
	tests/emu/boot.sh --smp $(SMP) --mem 2048 --image $(BUILD)/linux.img --interactive

# Boot-to-marker instructions and exits by kind (the HV_BENCH build of make bench, QEMU -icount).
bench-linux:
	@scripts/deps.sh linux
	$(MAKE) --no-print-directory BUILD=$(BUILD)/bench HV_EXTRA_CFLAGS=-DHV_BENCH all
	tests/bench/linux_bench.sh $(BUILD)/bench $(BUILD)

# Emulator cases too slow for make test: a Debian vmlinux on Bochs corei7_skylake_x (VMX).
test-slow: all
	@scripts/deps.sh all
	BUILD=$(BUILD) tests/emu/run_bochs.sh linux-vmx

# Network boot: a TFTP tree in $(BUILD)/pxe (scripts/mkpxe.sh: hv.efi, the guests, PXE_CFG as
# hv.cfg) booted by QEMU's user-network DHCP/TFTP server, virtio-net with OVMF's own PXE.
PXE_CFG ?= scripts/pxe.cfg
.PHONY: run-pxe
run-pxe: all
	@scripts/deps.sh run
	rm -rf $(BUILD)/pxe
	scripts/mkpxe.sh $(BUILD)/pxe $(BUILD)/hv.efi $(GUEST_ELF) --cfg $(PXE_CFG)
	tests/emu/boot.sh --smp $(SMP) --pxe $(BUILD)/pxe --interactive

# ---- tests --------------------------------------------------------------
$(HOST_BIN): $(HOST_CORE) $(HOST_TESTS) $(wildcard hv/*.h arch/x86/*.h arch/x86/*/*.h tests/host/*.h)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_CORE) $(HOST_TESTS) -o $@

# The tests read the guests this build made (HV_TEST_BUILD: tests/host/test_multiboot_load.c).
# acpica-tools: tests/host/test_guest_acpi.c runs ACPICA's iasl over the guests' tables.
$(BUILD)/.deps-acpi:
	@scripts/deps.sh acpi
	@mkdir -p $(@D) && touch $@

unit: $(HOST_BIN) $(BUILD)/guest/selftest.elf $(BUILD)/.deps-acpi
	HV_TEST_BUILD=$(BUILD) $(HOST_BIN)

emu-test: all
	@scripts/deps.sh all
	tests/emu/run_all.sh

test:
	@scripts/deps.sh all
	$(MAKE) all
	tests/run_tests.sh

# ---- fuzzing (tests/fuzz/, README "Fuzzing") -------------------------------
# libFuzzer targets tests/fuzz/fuzz_NAME.c, built with clang from the host unit tests'
# sources: the HOST_CORE files the targets use (FUZZ_CORE; a link error names one that is
# missing), as a library each target takes what it needs from. make fuzz builds them and
# runs each for FUZZ_SECONDS, one at a time; make fuzz-replay (part of make test) only runs
# each over its seed corpus tests/fuzz/corpus/NAME.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_RUNS ?= 0
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -DHV_HOST_TEST -I. $(WARN) -Wno-missing-prototypes
FUZZ_CORE := $(filter hv/config_parse.c hv/config_place.c hv/config_values.c hv/cpu_topology.c \
	hv/xcr0_policy.c hv/fmt.c hv/lib_strlcpy.c hv/multiboot_load.c hv/elf_load.c hv/insn_len.c \
	hv/insn_tables.c hv/mmio_decode.c drivers/acpi_madt.c hv/tftp_path.c hv/linux_load.c \
	hv/linux_bzimage.c hv/linux_vmlinux.c hv/linux_entry.c hv/linux_e820.c hv/dhcp_boot.c hv/tftp_error.c,$(HOST_CORE))
FUZZ_LIB_OBJ := $(FUZZ_CORE:%.c=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/.deps-fuzz:
	@scripts/deps.sh fuzz
	@mkdir -p $(@D) && touch $@

$(BUILD)/fuzz/obj/%.o: %.c | $(BUILD)/.deps-fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/fuzz/libhv.a: $(FUZZ_LIB_OBJ) Makefile
	@rm -f $@
	ar rcs $@ $(FUZZ_LIB_OBJ)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(BUILD)/fuzz/libhv.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@

.PHONY: fuzz fuzz-build fuzz-replay
fuzz-build: $(FUZZ_BIN)

# FUZZ_RUNS=N: also stop each target after N executions (0: only the time limit).
fuzz: fuzz-build
	@BUILD=$(BUILD) FUZZ_RUNS=$(FUZZ_RUNS) tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-replay: fuzz-build
	@BUILD=$(BUILD) tests/fuzz/run_fuzz.sh replay $(FUZZ_NAMES)

# Deliberate breakages (tests/mutations/*.mut), each of which its named test must catch; not
# part of make test. make mutate MUTATIONS=NAME-FILTER runs only matching ones.
.PHONY: mutate
mutate:
	tests/mutate.sh '$(MUTATIONS)'

# docs/msr-policy.md is generated from the MSR policy table (a unit test checks it is current).
msr-doc: $(HOST_BIN)
	@mkdir -p docs
	$(HOST_BIN) --msr-doc > docs/msr-policy.md

# docs/cpuid-policy.md is generated from the CPUID feature table (a unit test checks it is current).
cpuid-doc: $(HOST_BIN)
	@mkdir -p docs
	$(HOST_BIN) --cpuid-doc > docs/cpuid-policy.md

# Exit-path benchmark: a separate build with exit accounting (HV_BENCH) in build/bench/.
bench:
	@scripts/deps.sh all
	$(MAKE) --no-print-directory BUILD=$(BUILD)/bench HV_EXTRA_CFLAGS=-DHV_BENCH all
	tests/bench/run_bench.sh $(BUILD)/bench

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
