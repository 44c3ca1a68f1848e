/* Command-line token matching (see cmdline.h). */
#include "cmdline.h"
#include "multiboot.h"
#include "string.h"

const char *cmdline_get(void)
{
	if (boot_magic != MB_BOOT_MAGIC || !boot_mbi || !(boot_mbi->flags & MB_INFO_CMDLINE) ||
	    !boot_mbi->cmdline)
		return "";
	return mb_ptr(boot_mbi->cmdline);
}

/* Advances *p to the next token; returns its length (0 at the end). */
static size_t next_token(const char **p)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s;
	return n;
}

bool cmdline_has(const char *word)
{
	size_t wlen = strlen(word);
	const char *p = cmdline_get();
	for (size_t n; (n = next_token(&p)) != 0; p += n)
		if (n == wlen && strncmp(p, word, n) == 0)
			return true;
	return false;
}

const char *cmdline_value(const char *key)
{
	static char value[64];
	size_t klen = strlen(key);
	const char *p = cmdline_get();

	for (size_t n; (n = next_token(&p)) != 0; p += n) {
		if (n > klen && p[klen] == '=' && strncmp(p, key, klen) == 0) {
			size_t vlen = n - klen - 1;
			if (vlen >= sizeof(value))
				vlen = sizeof(value) - 1;
			memcpy(value, p + klen + 1, vlen);
			value[vlen] = '\0';
			return value;
		}
	}
	return NULL;
}
