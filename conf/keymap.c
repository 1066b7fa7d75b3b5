/* keymap: key routing (see keymap.h). The tables here are also the names near-miss suggestions are drawn from. */
#include "keymap.h"

#include "conf_impl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *key;
	const char *name;
} renames[] = {
	{"uid", "user"},
	{"gid", "group"},
	{"namespace-keep-mount", "keep_mount"},
	{"pivot-root", "pivot_root"},
};

/* uWSGI hook phases and the chain that runs at the same moment. */
static const struct {
	const char *phase;
	const char *chain;
} hook_phases[] = {
	{"asap", "exec.prepare"},   {"pre-jail", "exec.prestart"}, {"post-jail", "exec.jailed"},
	{"in-jail", "exec.jailed"}, {"as-root", "exec.start"},
};

/* uWSGI's hook kinds: hook- takes ACTION:ARGS as written, exec- a shell command, mount-/umount- their args. */
static const struct {
	const char *kind;
	const char *prefix;
} hook_kinds[] = {
	{"hook-", NULL},
	{"exec-", NULL},
	{"mount-", "mount:"},
	{"umount-", "umount:"},
};

/* First dot components of FreeBSD kernel parameters passed through unknown. */
static const char *const kernel_prefixes[] = {
	"allow", "host", "ip4", "ip6", "linux", "sysvmsg", "sysvsem", "sysvshm", "mac", "zfs", "vnet", "security",
};

static const char *const special_keys[] = {"jail2", "libjail", "namespace", "include"};

static int kfail(const struct keymap_sink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int kfail(const struct keymap_sink *k, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return k->fail(k->ctx, msg);
}

void keymap_suggest(const char *key, struct nearmiss *s)
{
	char alias[64];
	nearmiss_start(s);
	for (size_t i = 0; i < param_count; i++)
		if (!(param_table[i].flags & PF_PREFIX))
			nearmiss_consider(s, key, param_table[i].name);
	for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
		nearmiss_consider(s, key, renames[i].key);
	for (size_t i = 0; i < sizeof special_keys / sizeof special_keys[0]; i++)
		nearmiss_consider(s, key, special_keys[i]);
	for (size_t k = 0; k < sizeof hook_kinds / sizeof hook_kinds[0]; k++) {
		for (size_t p = 0; p < sizeof hook_phases / sizeof hook_phases[0]; p++) {
			snprintf(alias, sizeof alias, "%s%s", hook_kinds[k].kind, hook_phases[p].phase);
			nearmiss_consider(s, key, alias);
		}
	}
}

static bool kernel_namespace(const char *key)
{
	for (size_t i = 0; i < sizeof kernel_prefixes / sizeof kernel_prefixes[0]; i++) {
		size_t l = strlen(kernel_prefixes[i]);
		if (strncmp(key, kernel_prefixes[i], l) == 0 && (key[l] == '\0' || key[l] == '.'))
			return true;
	}
	return false;
}

static int route_hook(struct keyval *v, const struct keymap_sink *k)
{
	for (size_t i = 0; i < sizeof hook_kinds / sizeof hook_kinds[0]; i++) {
		size_t l = strlen(hook_kinds[i].kind);
		if (strncmp(v->key, hook_kinds[i].kind, l) != 0)
			continue;
		for (size_t p = 0; p < sizeof hook_phases / sizeof hook_phases[0]; p++) {
			if (strcmp(v->key + l, hook_phases[p].phase) != 0)
				continue;
			v->name = hook_phases[p].chain;
			v->def = param_find(v->name);
			v->prefix = hook_kinds[i].prefix;
			return k->add(k->ctx, v);
		}
	}
	return 1;
}

static int route_unknown(struct keyval *v, bool uwsgi, const struct keymap_sink *k)
{
	struct nearmiss s;
	keymap_suggest(v->key, &s);
	if (kernel_namespace(v->key) && !(s.best[0] && s.dist <= 1))
		return k->add(k->ctx, v); /* def NULL: handed to jail_set by name */
	if (uwsgi) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s is not a warder option: left to uWSGI", v->key);
		k->warn(k->ctx, msg);
		return 0;
	}
	if (s.best[0])
		return kfail(k, "unknown key \"%s\", did you mean \"%s\"?", v->key, s.best);
	return kfail(k, "unknown key \"%s\"", v->key);
}

static int route_variable(struct keyval *v, const struct keymap_sink *k)
{
	const char *n = v->key + 1;
	bool ok = isalpha((unsigned char)n[0]) || n[0] == '_';
	for (const char *p = n; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '_';
	if (!ok)
		return kfail(k, "bad variable name \"%s\"", v->key);
	if (param_find(n))
		return kfail(k, "variable %s has the same name as a parameter", v->key);
	v->name = v->key;
	return k->add(k->ctx, v);
}

/* jail2 = KEY[=VALUE]: one jail parameter, 1:1; no value means true. */
static int route_jail2(struct keyval *v, const struct keymap_sink *k)
{
	char *buf = strdup(v->raw);
	if (!buf)
		return kfail(k, "out of memory");
	char *eq = strchr(buf, '='), *value = eq ? conf_trim(eq + 1) : "true";
	if (eq)
		*eq = '\0';
	char *key = conf_trim(buf);
	int rc;
	if (!key[0] || strchr(key, ' ') || strchr(key, '\t')) {
		rc = kfail(k, "%s: expected KEY[=VALUE], got \"%s\"", v->key, v->raw);
	} else {
		struct keyval n = *v;
		n.name = n.key = key;
		n.raw = value;
		n.def = param_find(key);
		rc = k->add(k->ctx, &n);
	}
	free(buf);
	return rc;
}

/* namespace = ROOTFS[:HOSTNAME]: uWSGI's all-in-one jail, spelled out in warder's parameters. */
static int namespace_implied(struct keyval n, int quote, char *buf, char *colon, char *part, const struct keymap_sink *k)
{
	static const struct {
		const char *name, *value;
	} implied[] = {{"unshare", "mount,pid,uts,ipc"}, {"mount.procfs", "true"}, {"mount.devfs", "true"}};
	const char *parts[][2] = {{"path", buf}, {"host.hostname", colon ? colon + 1 : ""}};
	n.implied = true;
	for (size_t i = 0; i < 2; i++) {
		if (!parts[i][1][0])
			continue;
		if (quote)
			sprintf(part, "%c%s%c", quote, parts[i][1], quote);
		else
			strcpy(part, parts[i][1]);
		n.name = n.key = parts[i][0];
		n.def = param_find(n.name);
		n.raw = part;
		if (k->add(k->ctx, &n) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof implied / sizeof implied[0]; i++) {
		n.name = n.key = implied[i].name;
		n.def = param_find(n.name);
		n.raw = implied[i].value;
		if (k->add(k->ctx, &n) < 0)
			return -1;
	}
	return 0;
}

static int route_namespace(struct keyval *v, const struct keymap_sink *k)
{
	int quote = conf_quote(v->raw);
	if (quote < 0)
		return kfail(k, "unterminated quote");
	size_t len = strlen(v->raw);
	char *buf = strdup(v->raw + (quote != 0)), *part = malloc(len + 3);
	if (!buf || !part) {
		free(buf);
		free(part);
		return kfail(k, "out of memory");
	}
	if (quote)
		buf[strlen(buf) - 1] = '\0';
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	struct keyval n = *v;
	n.name = "namespace";
	n.def = param_find(n.name);
	int rc;
	if (!buf[0])
		rc = kfail(k, "namespace: expected ROOTFS[:HOSTNAME], got \"%s\"", v->raw);
	else
		rc = k->add(k->ctx, &n) < 0 ? -1 : namespace_implied(n, quote, buf, colon, part, k);
	free(buf);
	free(part);
	return rc;
}

int keymap_route(struct keyval *v, bool uwsgi, const struct keymap_sink *k)
{
	if (v->key[0] == '$')
		return route_variable(v, k);
	if (strcmp(v->key, "jail2") == 0 || strcmp(v->key, "libjail") == 0)
		return route_jail2(v, k);
	if (strcmp(v->key, "namespace") == 0)
		return route_namespace(v, k);
	v->name = v->key;
	for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
		if (strcmp(v->key, renames[i].key) == 0)
			v->name = renames[i].name;
	if ((v->def = param_find(v->name)))
		return k->add(k->ctx, v);
	int rc = route_hook(v, k);
	return rc <= 0 ? rc : route_unknown(v, uwsgi, k);
}
