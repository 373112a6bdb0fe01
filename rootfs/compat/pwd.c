/* Why this file exists: wasi-libc has no user database. Programs other
 * than BusyBox (which parses /etc/passwd itself, CONFIG_USE_BB_PWD_GRP)
 * look users up with these: sqlite3's shell finds the home directory of
 * getuid(), Python's pwd module and os.path.expanduser. They read the
 * container's /etc/passwd, as glibc's files backend does. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *pw_file;
static struct passwd pw_entry;
static char pw_line[1024];

/* Splits one line of /etc/passwd into `pw` (its strings point into `line`). */
static int parse_passwd(char *line, struct passwd *pw) {
	char *field[7];
	char *p = line;
	size_t n = strlen(line);
	if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
	for (int i = 0; i < 7; i++) {
		field[i] = p;
		p = strchr(p, ':');
		if (p) *p++ = '\0';
		else if (i < 6) return -1;
	}
	pw->pw_name = field[0];
	pw->pw_passwd = field[1];
	pw->pw_uid = (uid_t)strtoul(field[2], NULL, 10);
	pw->pw_gid = (gid_t)strtoul(field[3], NULL, 10);
	pw->pw_gecos = field[4];
	pw->pw_dir = field[5];
	pw->pw_shell = field[6];
	return 0;
}

struct passwd *fgetpwent(FILE *f) {
	while (fgets(pw_line, sizeof pw_line, f)) {
		if (parse_passwd(pw_line, &pw_entry) == 0) return &pw_entry;
	}
	return NULL;
}

void setpwent(void) {
	if (pw_file) rewind(pw_file);
	else pw_file = fopen("/etc/passwd", "re");
}

void endpwent(void) {
	if (pw_file) fclose(pw_file);
	pw_file = NULL;
}

struct passwd *getpwent(void) {
	if (!pw_file) setpwent();
	return pw_file ? fgetpwent(pw_file) : NULL;
}

/* The first entry `match` accepts, from the start of /etc/passwd; NULL
 * (errno unchanged) when there is none. */
static struct passwd *find(int (*match)(const struct passwd *, const void *), const void *key) {
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *found = NULL;
	if (!f) return NULL;
	while ((found = fgetpwent(f)) && !match(found, key)) {
	}
	fclose(f);
	return found;
}

static int by_uid(const struct passwd *pw, const void *key) { return pw->pw_uid == *(const uid_t *)key; }
static int by_name(const struct passwd *pw, const void *key) { return strcmp(pw->pw_name, key) == 0; }

struct passwd *getpwuid(uid_t uid) { return find(by_uid, &uid); }
struct passwd *getpwnam(const char *name) { return find(by_name, name); }

/* The reentrant forms: the entry copied into `buf`. */
static int copy_out(struct passwd *found, struct passwd *pw, char *buf, size_t size, struct passwd **result) {
	*result = NULL;
	if (!found) return 0;
	char *strings[] = {found->pw_name, found->pw_passwd, found->pw_gecos, found->pw_dir, found->pw_shell};
	char **targets[] = {&pw->pw_name, &pw->pw_passwd, &pw->pw_gecos, &pw->pw_dir, &pw->pw_shell};
	size_t used = 0;
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(strings[i]) + 1;
		if (used + n > size) return ERANGE;
		memcpy(buf + used, strings[i], n);
		*targets[i] = buf + used;
		used += n;
	}
	pw->pw_uid = found->pw_uid;
	pw->pw_gid = found->pw_gid;
	*result = pw;
	return 0;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **result) {
	return copy_out(getpwuid(uid), pw, buf, size, result);
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **result) {
	return copy_out(getpwnam(name), pw, buf, size, result);
}
