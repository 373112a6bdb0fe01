/* Why this file exists: wasi-libc has no <mntent.h> functions.  These are a
 * real implementation of the mount-table file format (fstab/mtab/
 * /proc/mounts: six blank-separated fields, octal escapes like \040 for a
 * space), so df, mount and mountpoint show whatever table the overbox
 * filesystem provides. */
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FILE *setmntent(const char *name, const char *mode)
{
	return fopen(name, mode);
}

int endmntent(FILE *f)
{
	if (f)
		fclose(f);
	return 1;
}

/* Undoes the \ooo escapes in place. */
static char *unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3'
		 && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	return s;
}

struct mntent *getmntent_r(FILE *f, struct mntent *mnt, char *buf, int buflen)
{
	char *fields[6];

	for (;;) {
		char *p;
		int n = 0;

		if (!fgets(buf, buflen, f))
			return NULL;
		if (!strchr(buf, '\n') && !feof(f)) {
			/* Line too long for buf: skip the rest of it, as glibc does. */
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				continue;
		}
		p = buf;
		while (n < 6) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p || *p == '\n' || (n == 0 && *p == '#'))
				break;
			fields[n++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
			if (*p)
				*p++ = 0;
		}
		if (n < 2)	/* blank line or comment */
			continue;
		mnt->mnt_fsname = unescape(fields[0]);
		mnt->mnt_dir = unescape(fields[1]);
		mnt->mnt_type = n > 2 ? unescape(fields[2]) : "";
		mnt->mnt_opts = n > 3 ? unescape(fields[3]) : "";
		mnt->mnt_freq = n > 4 ? atoi(fields[4]) : 0;
		mnt->mnt_passno = n > 5 ? atoi(fields[5]) : 0;
		return mnt;
	}
}

struct mntent *getmntent(FILE *f)
{
	static struct mntent mnt;
	static char buf[4096];

	return getmntent_r(f, &mnt, buf, sizeof(buf));
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			putc(*s, f);
	}
}

int addmntent(FILE *f, const struct mntent *mnt)
{
	if (fseek(f, 0, SEEK_END) < 0)
		return 1;
	put_escaped(f, mnt->mnt_fsname);
	putc(' ', f);
	put_escaped(f, mnt->mnt_dir);
	putc(' ', f);
	put_escaped(f, mnt->mnt_type);
	putc(' ', f);
	put_escaped(f, mnt->mnt_opts);
	fprintf(f, " %d %d\n", mnt->mnt_freq, mnt->mnt_passno);
	return ferror(f) ? 1 : 0;
}

char *hasmntopt(const struct mntent *mnt, const char *opt)
{
	size_t len = strlen(opt);
	char *p = mnt->mnt_opts;

	while (p && *p) {
		if (strncmp(p, opt, len) == 0 && (p[len] == 0 || p[len] == ',' || p[len] == '='))
			return p;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return NULL;
}
