/* TFTP file names for network boot (hv/tftp_path.c): the rules in hv/tftp_path.h. */
#include <string.h>
#include "hv/tftp_path.h"
#include "tests/host/harness.h"

static char out[TFTP_NAME_MAX], err[160];

static const char *dir_of(const char *boot_file)
{
	static char dir[TFTP_NAME_MAX];
	return tftp_boot_dir(boot_file, dir, sizeof(dir), err, sizeof(err)) ? NULL : dir;
}

static const char *join(const char *dir, const char *path)
{
	err[0] = 0;
	return tftp_path_join(dir, path, out, sizeof(out), err, sizeof(err)) ? NULL : out;
}

#define JOINS(dir, path, want)                                   \
	do {                                                     \
		const char *_r = join(dir, path);                \
		CHECK(_r && !strcmp(_r, want));                  \
		if (!_r || strcmp(_r, want))                     \
			printf("  join('%s', '%s') = '%s' (%s)\n", dir, path, _r ? _r : "", err); \
	} while (0)

#define REFUSES(dir, path, reason)                               \
	do {                                                     \
		CHECK(!join(dir, path));                         \
		CHECK(out[0] == 0);                              \
		CHECK(strstr(err, reason) != NULL);              \
		if (!strstr(err, reason))                        \
			printf("  join('%s', '%s'): err '%s'\n", dir, path, err); \
	} while (0)

TEST(tftp_boot_dir_is_up_to_the_last_separator)
{
	CHECK(!strcmp(dir_of("hv.efi"), ""));
	CHECK(!strcmp(dir_of("boot/hv.efi"), "boot/"));
	CHECK(!strcmp(dir_of("/srv/tftp/x86/hv.efi"), "/srv/tftp/x86/"));
	CHECK(!strcmp(dir_of("pxe\\x64\\hv.efi"), "pxe\\x64\\"));
	CHECK(!strcmp(dir_of("a/b\\hv.efi"), "a/b\\"));
	CHECK(!strcmp(dir_of("boot/"), "boot/"));
	CHECK(!strcmp(dir_of(""), ""));
}

TEST(tftp_boot_dir_refuses_bad_names)
{
	char dir[8];
	CHECK(!dir_of("bo\xc3\xb6t/hv.efi"));
	CHECK(strstr(err, "boot file name contains a byte 0xc3 that is not printable ASCII"));
	CHECK(!dir_of("boot\n/hv.efi"));
	CHECK(strstr(err, "0x0a"));
	/* The directory must fit: 7 bytes + NUL in an 8-byte buffer, not 8. */
	CHECK_EQ(tftp_boot_dir("abcdef/x", dir, sizeof(dir), err, sizeof(err)), 0);
	CHECK(!strcmp(dir, "abcdef/"));
	CHECK_EQ(tftp_boot_dir("abcdefg/x", dir, sizeof(dir), err, sizeof(err)), -1);
	CHECK(dir[0] == 0);
	CHECK(strstr(err, "directory is 8 bytes long (the limit is 7)"));
}

TEST(tftp_join_relative_to_boot_dir)
{
	JOINS("", "hv.cfg", "hv.cfg");
	JOINS("boot/", "hv.cfg", "boot/hv.cfg");
	JOINS("boot/", "guests/a.elf", "boot/guests/a.elf");
	JOINS("boot/", "guests\\a.elf", "boot/guests/a.elf"); /* as on the FAT disk */
	JOINS("/srv/tftp/", "a.elf", "/srv/tftp/a.elf");
	JOINS("boot", "a.elf", "boot/a.elf"); /* a directory without its separator */
	/* A Windows-style boot file name: its separator is kept. */
	JOINS("pxe\\x64\\", "guests/a.elf", "pxe\\x64\\guests\\a.elf");
	JOINS("a/b\\", "g\\k.elf", "a/b\\g/k.elf");
	/* Empty and "." components dropped; names that merely start with dots kept. */
	JOINS("boot/", "./guests//./a.elf", "boot/guests/a.elf");
	JOINS("boot/", ".hidden/..x/...", "boot/.hidden/..x/...");
	JOINS("", "my kernel.elf", "my kernel.elf");
}

TEST(tftp_join_absolute_is_relative_to_the_root)
{
	JOINS("boot/", "/guests/a.elf", "guests/a.elf");
	JOINS("boot/", "\\\\guests\\a.elf", "guests/a.elf");
	JOINS("pxe\\", "\\a.elf", "a.elf");
	JOINS("", "/a.elf", "a.elf");
}

TEST(tftp_join_refuses_bad_paths)
{
	REFUSES("boot/", "", "the path is empty");
	REFUSES("boot/", "../x.elf", "'..' is not allowed");
	REFUSES("boot/", "guests/../../x.elf", "'..' is not allowed");
	REFUSES("boot/", "a\\..", "'..' is not allowed");
	REFUSES("boot/", "guests/", "names a directory");
	REFUSES("boot/", "/", "names a directory");
	REFUSES("boot/", ".", "names a directory");
	REFUSES("boot/", "guests/.", "names a directory");
	REFUSES("boot/", "gu\xc3\xa9st.elf", "the path contains a byte 0xc3 that is not printable ASCII");
	REFUSES("boot/", "a\tb", "byte 0x09");
	REFUSES("boot/", "a\x7f", "byte 0x7f");
	REFUSES("bo\x01t/", "a.elf", "the boot directory contains a byte 0x01");
}

TEST(tftp_join_length_limit)
{
	char path[400], small[12];
	memset(path, 'a', sizeof(path));
	path[TFTP_NAME_MAX - 1] = 0; /* 255 bytes: fits exactly */
	CHECK(join("", path) && strlen(out) == TFTP_NAME_MAX - 1);
	path[TFTP_NAME_MAX - 1] = 'a';
	path[TFTP_NAME_MAX] = 0; /* 256 bytes */
	REFUSES("", path, "longer than 255 bytes");
	path[TFTP_NAME_MAX - 3] = 0; /* 253 + "b/" = 255 */
	CHECK(join("b/", path) && strlen(out) == TFTP_NAME_MAX - 1);
	REFUSES("bb/", path, "longer than 255 bytes");
	path[TFTP_NAME_MAX - 3] = 'a';
	path[sizeof(path) - 1] = 0; /* 399 bytes */
	REFUSES("", path, "longer than 255 bytes");
	/* The caller's buffer limits too; the separator between dir and path counts. */
	CHECK_EQ(tftp_path_join("abcd", "efghij", small, sizeof(small), err, sizeof(err)), 0);
	CHECK(!strcmp(small, "abcd/efghij"));
	CHECK_EQ(tftp_path_join("abcd", "efghijk", small, sizeof(small), err, sizeof(err)), -1);
	CHECK(small[0] == 0 && strstr(err, "longer than 11 bytes"));
	CHECK_EQ(tftp_path_join("abcdefghijk", "x", small, sizeof(small), err, sizeof(err)), -1);
	CHECK_EQ(tftp_path_join("", "x", small, 0, err, sizeof(err)), -1);
}
