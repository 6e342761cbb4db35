/*
 * config_scan: the raw-text pre-scans of cluster.md §4.1 step 3.  They run
 * before the typed decode because the decoder would stop at the first
 * duplicate or reserved key with a less useful message.
 */
#include "engine/config.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct frame {
	long indent;
	char *path;
	char **keys;
	size_t nkeys;
};

struct stack {
	struct frame *v;
	size_t n;
};

static void push(struct stack *s, long indent, char *path)
{
	s->v = cfs_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = (struct frame){ indent, path, NULL, 0 };
}

static void pop_to(struct stack *s, long indent)
{
	while (s->n > 1 && indent <= s->v[s->n - 1].indent) {
		struct frame *f = &s->v[--s->n];
		for (size_t i = 0; i < f->nkeys; i++)
			free(f->keys[i]);
		free(f->keys);
		free(f->path);
	}
}

/* Returns true if key was already present in the frame (and adds it if not). */
static bool frame_add_key(struct frame *f, const char *key)
{
	for (size_t i = 0; i < f->nkeys; i++)
		if (!strcmp(f->keys[i], key))
			return true;
	f->keys = cfs_xrealloc(f->keys, (f->nkeys + 1) * sizeof(char *));
	f->keys[f->nkeys++] = cfs_xstrdup(key);
	return false;
}

/* Length of the line before a '#' that is outside quotes. */
static size_t strip_comment(const char *line, size_t len)
{
	bool sq = false, dq = false, esc = false;

	for (size_t i = 0; i < len; i++) {
		char ch = line[i];
		if (esc) {
			esc = false;
			continue;
		}
		if (ch == '\\' && dq)
			esc = true;
		else if (ch == '\'' && !dq)
			sq = !sq;
		else if (ch == '"' && !sq)
			dq = !dq;
		else if (ch == '#' && !sq && !dq)
			return i;
	}
	return len;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trim both ends of [*s, *s+*n). */
static void trim(const char **s, size_t *n)
{
	while (*n && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_ws((*s)[*n - 1]))
		(*n)--;
}

static void scan_line(struct stack *st, const char *line, size_t len, unsigned lineno,
		      struct cfs_diags *d)
{
	len = strip_comment(line, len);
	const char *t = line;
	size_t n = len;
	trim(&t, &n);
	if (!n)
		return;
	long indent = 0;
	while ((size_t)indent < len && line[indent] == ' ')
		indent++;
	const char *rest = line + indent;
	size_t rn = len - (size_t)indent;
	if ((rn == 1 && rest[0] == '-') || (rn >= 2 && rest[0] == '-' && rest[1] == ' ')) {
		pop_to(st, indent);
		push(st, indent, cfs_xasprintf("%s[]", st->v[st->n - 1].path));
		rest++;
		rn--;
		while (rn && is_ws(*rest)) {
			rest++;
			rn--;
		}
		if (!rn)
			return;
	} else {
		pop_to(st, indent);
	}
	const char *colon = memchr(rest, ':', rn);
	if (!colon)
		return;
	const char *k = rest, *v = colon + 1;
	size_t kn = (size_t)(colon - rest), vn = rn - kn - 1;
	trim(&k, &kn);
	trim(&v, &vn);
	if (!kn || *k == '{' || *k == '[')
		return;
	char *key = cfs_xstrndup(k, kn);
	struct frame *top = &st->v[st->n - 1];
	char *full = *top->path ? cfs_xasprintf("%s.%s", top->path, key) : cfs_xstrdup(key);
	if (frame_add_key(top, key))
		cfs_diag_error(d, "duplicate_yaml_key", full, "duplicate YAML key `%s` on line %u", key, lineno);
	if (!vn)
		push(st, indent, full);
	else
		free(full);
	free(key);
}

void cfs_config_scan_duplicate_keys(const char *text, size_t len, struct cfs_diags *d)
{
	struct stack st = { NULL, 0 };
	unsigned lineno = 0;

	push(&st, -1, cfs_xstrdup(""));
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t ll = end - i;
		if (ll && text[i + ll - 1] == '\r')
			ll--;
		scan_line(&st, text + i, ll, ++lineno, d);
		i = end + 1;
	}
	pop_to(&st, -1);
	free(st.v[0].path);
	for (size_t i = 0; i < st.v[0].nkeys; i++)
		free(st.v[0].keys[i]);
	free(st.v[0].keys);
	free(st.v);
}

static const char *const RESERVED[] = { "apply", "env_file", "pipelines", "embeddings",
					"ui", "aliases", "bindings", NULL };

static bool reserved(const char *key)
{
	for (int i = 0; RESERVED[i]; i++)
		if (!strcmp(RESERVED[i], key))
			return true;
	return false;
}

static void scan_streaming(yaml_document_t *doc, yaml_node_t *graphs, struct cfs_diags *d)
{
	if (graphs->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = graphs->data.mapping.pairs.start; p < graphs->data.mapping.pairs.top; p++) {
		yaml_node_t *id = yaml_document_get_node(doc, p->key);
		yaml_node_t *g = yaml_document_get_node(doc, p->value);
		if (id->type != YAML_SCALAR_NODE || g->type != YAML_MAPPING_NODE)
			continue;
		for (yaml_node_pair_t *q = g->data.mapping.pairs.start; q < g->data.mapping.pairs.top; q++) {
			yaml_node_t *k = yaml_document_get_node(doc, q->key);
			if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, "streaming")) {
				char *path = cfs_xasprintf("graphs.%s.streaming", (char *)id->data.scalar.value);
				cfs_diag_error(d, "removed_streaming_declaration", path,
					       "`streaming` was removed: graphs no longer carry a stream profile; delete this key");
				free(path);
				break;
			}
		}
	}
}

void cfs_config_scan_reserved(const char *text, size_t len, struct cfs_diags *d)
{
	yaml_parser_t p;
	yaml_document_t doc;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &doc)) {
		yaml_parser_delete(&p);
		return;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++) {
			yaml_node_t *k = yaml_document_get_node(&doc, q->key);
			if (k->type != YAML_SCALAR_NODE)
				continue;
			const char *key = (const char *)k->data.scalar.value;
			if (reserved(key))
				cfs_diag_error(d, "future_phase_field", key,
					       "`%s` is reserved for a later cluster-control phase", key);
		}
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++) {
			yaml_node_t *k = yaml_document_get_node(&doc, q->key);
			if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, "graphs"))
				scan_streaming(&doc, yaml_document_get_node(&doc, q->value), d);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
}
