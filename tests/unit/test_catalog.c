/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service catalog (analyze/policy/catalog.h): the shipped data files and
 * every shipped profile carry their sources (the lint), names map to the
 * service and role behind them with the most specific entry winning, and a
 * malformed line refuses its file with PATH:LINE and leaves the catalog as
 * it was. Tables end in a sentinel row; each row is its own cmocka test.
 * Every name and every file text lies flush against a PROT_NONE page.
 */
/* cmocka needs these three first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "guard.h"
#include "model.h"
#include "rules.h"

#define ROWS(t) (sizeof(t) / sizeof((t)[0]) - 1) /* without the sentinel */
#define IN(s) .in = (s), .in_len = sizeof(s) - 1

/* The shipped catalog, loaded once by the group setup. */
static struct catalog *shipped;
static char shipped_err[1024];

/* What a test allocates, freed by the teardown even when a row fails. */
static struct {
    struct catalog *c;
    struct guarded g;
    char *buf;
    char dir[64];
    char file[128];
} scratch;

static int scratch_free(void **state)
{
    catalog_free(scratch.c);
    guard_free(&scratch.g);
    free(scratch.buf);
    if (scratch.file[0])
        unlink(scratch.file);
    if (scratch.dir[0]) {
        DIR *d = opendir(scratch.dir);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char p[sizeof scratch.dir + 260];
            snprintf(p, sizeof p, "%s/%s", scratch.dir, e->d_name);
            unlink(p);
        }
        if (d)
            closedir(d);
        rmdir(scratch.dir);
    }
    memset(&scratch, 0, sizeof scratch);
    return 0;
}

static int group_setup(void **state)
{
    shipped = catalog_new();
    if (!shipped ||
        !catalog_load_dir(shipped, EA_SOURCE_SERVICES, shipped_err, sizeof shipped_err)) {
        catalog_free(shipped);
        shipped = NULL; /* the lint test reports shipped_err */
    }
    return 0;
}

static int group_teardown(void **state)
{
    catalog_free(shipped);
    shipped = NULL;
    return 0;
}

static const struct catalog *need_shipped(void)
{
    if (!shipped)
        fail_msg("the shipped catalog did not load: %s", shipped_err);
    return shipped;
}

/* Load text as one file named "t.tsv"; the text ends at a guard page. */
static bool load_text(struct catalog *c, const char *text, size_t len, char *err, size_t errlen)
{
    guard_free(&scratch.g);
    const char *in = (const char *)guard_copy(&scratch.g, text, len);
    return catalog_load_buffer(c, "t.tsv", in, len, err, errlen);
}

/* ---- lookups in the shipped catalog ---- */

struct lookup_case {
    const char *what;
    const char *in;
    size_t in_len;
    const char *service; /* NULL: no entry */
    const char *role;
    const char *pattern; /* the entry that must win, or NULL: any */
};

static const struct lookup_case lookup_cases[] = {
    /* Hugging Face Hub: the hosts of a 2026 download */
    {"hf transfer.xethub.hf.co is Xet storage", IN("transfer.xethub.hf.co"), "Hugging Face Hub",
     "Xet storage", "transfer.xethub.hf.co"},
    {"hf any case and a trailing dot", IN("TRANSFER.XetHub.HF.co."), "Hugging Face Hub",
     "Xet storage", "transfer.xethub.hf.co"},
    {"hf transfer.xethub-eu.hf.co is Xet storage", IN("transfer.xethub-eu.hf.co"),
     "Hugging Face Hub", "Xet storage", NULL},
    {"hf cas-server.xethub.hf.co is Xet CAS", IN("cas-server.xethub.hf.co"), "Hugging Face Hub",
     "Xet CAS", NULL},
    {"hf cas-server.xethub-eu.hf.co is Xet CAS", IN("cas-server.xethub-eu.hf.co"),
     "Hugging Face Hub", "Xet CAS", NULL},
    {"hf cas-bridge.xethub.hf.co is Xet storage", IN("cas-bridge.xethub.hf.co"), "Hugging Face Hub",
     "Xet storage", "cas-bridge.xethub.hf.co"},
    {"hf an unlisted Xet host by *.xethub.hf.co", IN("cas-2.xethub.hf.co"), "Hugging Face Hub",
     "Xet storage", "*.xethub.hf.co"},
    {"hf an unlisted EU Xet host by *.xethub-eu.hf.co", IN("x.xethub-eu.hf.co"), "Hugging Face Hub",
     "Xet storage", "*.xethub-eu.hf.co"},
    {"hf us.aws.cdn.hf.co is CDN", IN("us.aws.cdn.hf.co"), "Hugging Face Hub", "CDN",
     "us.aws.cdn.hf.co"},
    {"hf us.gcp.cdn.hf.co is CDN", IN("us.gcp.cdn.hf.co"), "Hugging Face Hub", "CDN", NULL},
    {"hf a regional CDN host by *.cdn.hf.co", IN("us-east-1.aws.cdn.hf.co"), "Hugging Face Hub",
     "CDN", "*.cdn.hf.co"},
    {"hf cdn-lfs-us-1.hf.co is LFS CDN", IN("cdn-lfs-us-1.hf.co"), "Hugging Face Hub", "LFS CDN",
     NULL},
    {"hf cdn-lfs.hf.co is LFS CDN", IN("cdn-lfs.hf.co"), "Hugging Face Hub", "LFS CDN", NULL},
    {"hf legacy cdn-lfs.huggingface.co is LFS CDN", IN("cdn-lfs.huggingface.co"),
     "Hugging Face Hub", "LFS CDN", "cdn-lfs.huggingface.co"},
    {"hf huggingface.co is the API", IN("huggingface.co"), "Hugging Face Hub", "API",
     "huggingface.co"},
    {"hf hf.co is the API", IN("hf.co"), "Hugging Face Hub", "API", "hf.co"},
    {"hf an unlisted hf.co host by *.hf.co", IN("new-edge.hf.co"), "Hugging Face Hub",
     "storage or CDN (unlisted host)", "*.hf.co"},
    {"hf an unlisted huggingface.co host", IN("router.huggingface.co"), "Hugging Face Hub",
     "API or LFS (unlisted host)", "*.huggingface.co"},
    {"hf look-alike evilhf.co is nobody's", IN("evilhf.co"), NULL, NULL, NULL},
    {"hf hf.co.evil.example is nobody's", IN("hf.co.evil.example"), NULL, NULL, NULL},
    {"hf xhuggingface.co is nobody's", IN("xhuggingface.co"), NULL, NULL, NULL},
    /* Docker Hub */
    {"docker production.cloudfront.docker.com is CDN", IN("production.cloudfront.docker.com"),
     "Docker Hub", "CDN", "production.cloudfront.docker.com"},
    {"docker production.cloudflare.docker.com is CDN (removed, still known)",
     IN("production.cloudflare.docker.com"), "Docker Hub", "CDN", NULL},
    {"docker the R2 bucket is CDN",
     IN("docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"),
     "Docker Hub", "CDN", NULL},
    {"docker registry-1.docker.io is the registry", IN("registry-1.docker.io"), "Docker Hub",
     "registry", "registry-1.docker.io"},
    {"docker auth.docker.io is auth", IN("auth.docker.io"), "Docker Hub", "auth", NULL},
    {"docker index.docker.io by *.docker.io", IN("index.docker.io"), "Docker Hub", "registry",
     "*.docker.io"},
    /* PyPI, Anaconda, PyTorch */
    {"pypi files.pythonhosted.org is files", IN("files.pythonhosted.org"), "PyPI", "files",
     "files.pythonhosted.org"},
    {"pypi pypi.org is the index", IN("pypi.org"), "PyPI", "index", NULL},
    {"anaconda repo.anaconda.com is the repo", IN("repo.anaconda.com"), "Anaconda", "repo",
     "repo.anaconda.com"},
    {"anaconda conda.anaconda.org is conda channels", IN("conda.anaconda.org"), "Anaconda",
     "conda channels", NULL},
    {"anaconda api.anaconda.org by *.anaconda.org", IN("api.anaconda.org"), "Anaconda",
     "conda channels", "*.anaconda.org"},
    {"pytorch download.pytorch.org is wheels", IN("download.pytorch.org"), "PyTorch", "wheels",
     NULL},
    /* Microsoft Container Registry, GitHub, Azure */
    {"mcr mcr.microsoft.com is the registry", IN("mcr.microsoft.com"),
     "Microsoft Container Registry", "registry", NULL},
    {"mcr a regional data endpoint", IN("westeurope.data.mcr.microsoft.com"),
     "Microsoft Container Registry", "data endpoints", "*.data.mcr.microsoft.com"},
    {"github github.com is code", IN("github.com"), "GitHub", "code", NULL},
    {"github objects.githubusercontent.com is release assets", IN("objects.githubusercontent.com"),
     "GitHub", "release assets", NULL},
    {"azure a blob endpoint is Azure Storage", IN("mystore.blob.core.windows.net"), "Azure Storage",
     "blob", NULL},
    {"azureml a workspace API host", IN("0123.workspace.eastus.api.azureml.ms"),
     "Azure Machine Learning", "API", "*.azureml.ms"},
    {"azureml a compute instance beats *.azureml.ms", IN("ci1.eastus.instances.azureml.ms"),
     "Azure Machine Learning", "compute instance", "*.instances.azureml.ms"},
    /* telemetry */
    {"telemetry api.wandb.ai is W&B", IN("api.wandb.ai"), "Weights & Biases", "API", NULL},
    {"telemetry a Sentry DSN host", IN("o4504.ingest.sentry.io"), "Sentry", "event ingestion",
     "*.ingest.sentry.io"},
    {"telemetry a Sentry EU DSN host", IN("o4504.ingest.de.sentry.io"), "Sentry", "event ingestion",
     "*.ingest.de.sentry.io"},
    {"telemetry a Sentry US DSN host", IN("o4504.ingest.us.sentry.io"), "Sentry", "event ingestion",
     "*.ingest.us.sentry.io"},
    /* nobody's, and hostile names */
    {"unknown vendor is nobody's", IN("telemetry.unlisted-vendor.example"), NULL, NULL, NULL},
    {"empty name", IN(""), NULL, NULL, NULL},
    {"a lone dot", IN("."), NULL, NULL, NULL},
    {"a NUL inside a name under *.hf.co", IN("a\0b.hf.co"), NULL, NULL, NULL},
    {"a control byte under *.hf.co", IN("a\x01.hf.co"), NULL, NULL, NULL},
    {"raw UTF-8 under *.hf.co", IN("\xc3\xbc.hf.co"), NULL, NULL, NULL},
    {"an empty label under *.hf.co", IN("a..hf.co"), NULL, NULL, NULL},
    {"the apex of a wildcard-only suffix", IN("xethub.hf.co"), "Hugging Face Hub",
     "storage or CDN (unlisted host)", "*.hf.co"},
    {NULL, NULL, 0, NULL, NULL, NULL},
};

static void run_lookup_case(void **state)
{
    const struct lookup_case *t = *state;
    const struct catalog *c = need_shipped();
    const char *name = (const char *)guard_copy(&scratch.g, t->in, t->in_len);
    const struct catalog_entry *e = catalog_lookup(c, name, t->in_len);
    if (!t->service) {
        if (e)
            fail_msg("'%s' matched %s (%s / %s), want no entry", t->what, e->pattern, e->service,
                     e->role);
        return;
    }
    if (!e)
        fail_msg("no entry, want %s / %s", t->service, t->role);
    assert_string_equal(e->service, t->service);
    assert_string_equal(e->role, t->role);
    if (t->pattern)
        assert_string_equal(e->pattern, t->pattern);
    assert_true(e->source[0] && e->date[0] && e->origin[0]);
}

/* A name of len bytes: labels of 'a' ending in ".hf.co". */
static void test_lookup_long_names(void **state)
{
    const struct catalog *c = need_shipped();
    static const size_t lens[] = {253, 254, 255, 1000, 65535};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t len = lens[k];
        free(scratch.buf);
        scratch.buf = malloc(len);
        assert_non_null(scratch.buf);
        for (size_t i = 0; i < len; i++)
            scratch.buf[i] = (i + 1) % 50 == 0 ? '.' : 'a';
        memcpy(scratch.buf + len - 6, ".hf.co", 6);
        guard_free(&scratch.g);
        const char *name = (const char *)guard_copy(&scratch.g, scratch.buf, len);
        const struct catalog_entry *e = catalog_lookup(c, name, len);
        if (len <= 253) {
            assert_non_null(e);
            assert_string_equal(e->pattern, "*.hf.co");
        } else {
            assert_null(e); /* not a DNS name: no pattern but '*' would match */
        }
    }
}

/* ---- the shipped data carry their sources ---- */

static void test_shipped_catalog_lints(void **state)
{
    const struct catalog *c = need_shipped();
    char err[1024] = "";
    if (!catalog_lint(c, err, sizeof err))
        fail_msg("%s", err);
    assert_true(catalog_size(c) >= 60);
    for (size_t i = 0; i < catalog_size(c); i++) {
        const struct catalog_entry *e = catalog_entry_at(c, i);
        assert_non_null(e);
        assert_non_null(strstr(e->source, "://"));
    }
    assert_null(catalog_entry_at(c, catalog_size(c)));
    /* Hugging Face documents a rotating host set; the note says what to allow */
    const struct catalog_rotating *r = catalog_rotating(c, "Hugging Face Hub");
    assert_non_null(r);
    assert_non_null(strstr(r->guidance, "*.hf.co"));
    assert_non_null(strstr(r->guidance, "rotating"));
    assert_non_null(strstr(r->source, "huggingface.co/docs/hub"));
    assert_non_null(catalog_rotating(c, "Microsoft Container Registry"));
    assert_null(catalog_rotating(c, "Docker Hub"));
    assert_null(catalog_rotating(c, "hugging face hub")); /* exact names only */
    assert_null(catalog_rotating(c, NULL));
}

/* Each data file on its own as well: a file that only loads after another
 * would hide a missing entry. */
static void test_shipped_files_each_lint(void **state)
{
    DIR *d = opendir(EA_SOURCE_SERVICES);
    assert_non_null(d);
    struct dirent *e;
    size_t files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 4 || strcmp(e->d_name + n - 4, ".tsv") != 0)
            continue;
        char path[1024], err[1024] = "";
        snprintf(path, sizeof path, "%s/%s", EA_SOURCE_SERVICES, e->d_name);
        struct catalog *c = catalog_new();
        assert_non_null(c);
        bool ok = catalog_load_file(c, path, err, sizeof err) && catalog_lint(c, err, sizeof err);
        size_t size = catalog_size(c);
        catalog_free(c);
        if (!ok) {
            closedir(d);
            fail_msg("%s", err);
        }
        if (size == 0) {
            closedir(d);
            fail_msg("%s: no entries", path);
        }
        files++;
    }
    closedir(d);
    assert_true(files >= 10);
}

/* Every shipped profile: every rule line after a "# source:" line, a date and
 * a read date, and the rules load. */
static void test_shipped_profiles_lint(void **state)
{
    DIR *d = opendir(EA_SOURCE_PROFILES);
    assert_non_null(d);
    struct dirent *e;
    size_t n_profiles = 0;
    bool foundry = false;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 6 || strcmp(e->d_name + n - 6, ".rules") != 0)
            continue;
        char path[1024], err[1024] = "";
        snprintf(path, sizeof path, "%s/%s", EA_SOURCE_PROFILES, e->d_name);
        struct ea_report r;
        ea_report_init(&r);
        bool ok = catalog_lint_profile(path, err, sizeof err) &&
                  rules_load_file(&r, path, RULES_TEXT, NULL, err, sizeof err);
        ea_report_finish(&r);
        if (!ok) {
            closedir(d);
            fail_msg("%s", err);
        }
        foundry = foundry || strcmp(e->d_name, "foundry-huggingface.rules") == 0;
        n_profiles++;
    }
    closedir(d);
    assert_true(n_profiles >= 8);
    assert_true(foundry);
}

/* ---- malformed lines: refused with PATH:LINE, nothing kept ---- */

#define GOOD "huggingface.co\tHugging Face Hub\tAPI\thttps://example.org/doc\t2026-07-16\n"

struct bad_case {
    const char *what;
    const char *in;
    size_t in_len;
    const char *where; /* "t.tsv:LINE:" */
    const char *why;   /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
    {"bad four columns", IN("# c\n" GOOD "x.example\tS\tR\thttps://e.org\n"),
     "t.tsv:3:", "4 tab-separated columns, want 5"},
    {"bad one column", IN("just-a-name\n"), "t.tsv:1:", "1 tab-separated column,"},
    {"bad six columns", IN("x.example\tS\tR\thttps://e.org\t2026-01-01\textra\n"),
     "t.tsv:1:", "more than 5 tab-separated columns"},
    {"bad control byte", IN(GOOD "x.example\tS\x01\tR\thttps://e.org\t2026-01-01\n"),
     "t.tsv:2:", "control byte 0x01 in column 2"},
    {"bad NUL byte", IN("x.example\tS\tR\thttps://e.org\0\t2026-01-01\n"),
     "t.tsv:1:", "control byte 0x00 in column 4"},
    {"bad non-ASCII byte", IN("x.example\tS\tR\thttps://e.org/\xc3\xbc\t2026-01-01\n"),
     "t.tsv:1:", "non-ASCII byte 0xc3 in column 4"},
    {"bad empty pattern", IN("\tS\tR\thttps://e.org\t2026-01-01\n"), "t.tsv:1:", "empty pattern"},
    {"bad empty service", IN("x.example\t \tR\thttps://e.org\t2026-01-01\n"),
     "t.tsv:1:", "empty service"},
    {"bad empty role", IN("x.example\tS\t\thttps://e.org\t2026-01-01\n"), "t.tsv:1:", "empty role"},
    {"bad wildcard mid name", IN("a.*.example\tS\tR\thttps://e.org\t2026-01-01\n"),
     "t.tsv:1:", "wildcard"},
    {"bad plain suffix pattern", IN("*hf.co\tS\tR\thttps://e.org\t2026-01-01\n"),
     "t.tsv:1:", "a name or '*.name'"},
    {"bad lone star", IN("*\tS\tR\thttps://e.org\t2026-01-01\n"), "t.tsv:1:", "a name or '*.name'"},
    {"bad space inside a pattern", IN("a b.example\tS\tR\thttps://e.org\t2026-01-01\n"),
     "t.tsv:1:", "only letters"},
    {"bad duplicate pattern",
     IN(GOOD "# again, in another case\nHuggingFace.CO.\tX\tY\thttps://e.org\t2026-01-01\n"),
     "t.tsv:3:", "already in the catalog (t.tsv:1)"},
    {"bad duplicate wildcard",
     IN("*.hf.co\tS\tR\thttps://e.org\t2026-01-01\n*.HF.co\tS\tR\thttps://e.org\t2026-01-01\n"),
     "t.tsv:2:", "already in the catalog"},
    {"bad role too long",
     IN("x.example\tS\t"
        "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\thttps://"
        "e.org\t2026-01-01\n"),
     "t.tsv:1:", "role longer than 64 bytes"},
    {"bad second rotating note",
     IN(GOOD "@rotating\tHugging Face Hub\tallow *.hf.co\thttps://e.org\t2026-01-01\n"
             "@rotating\tHugging Face Hub\tagain\thttps://e.org\t2026-01-01\n"),
     "t.tsv:3:", "a second @rotating row for 'Hugging Face Hub' (the first is at t.tsv:2)"},
    {"bad empty guidance", IN(GOOD "@rotating\tHugging Face Hub\t\thttps://e.org\t2026-01-01\n"),
     "t.tsv:2:", "empty guidance"},
    {"bad CRLF does not hide a short line", IN(GOOD "x.example\tS\tR\r\n"),
     "t.tsv:2:", "3 tab-separated columns"},
    {NULL, NULL, 0, NULL, NULL},
};

static void run_bad_case(void **state)
{
    const struct bad_case *t = *state;
    char err[1024] = "";
    scratch.c = catalog_new();
    assert_non_null(scratch.c);
    /* something loaded before: a refused file leaves it as it was */
    static const char before[] = "before.example\tB\tR\thttps://e.org\t2026-01-01\n";
    assert_true(
        catalog_load_buffer(scratch.c, "before.tsv", before, sizeof before - 1, err, sizeof err));
    assert_false(load_text(scratch.c, t->in, t->in_len, err, sizeof err));
    if (strncmp(err, t->where, strlen(t->where)) != 0)
        fail_msg("message '%s' does not start with '%s'", err, t->where);
    if (!strstr(err, t->why))
        fail_msg("message '%s' does not say '%s'", err, t->why);
    assert_int_equal(catalog_size(scratch.c), 1);
    assert_null(catalog_lookup(scratch.c, "huggingface.co", 14));
    assert_null(catalog_rotating(scratch.c, "Hugging Face Hub"));
    assert_non_null(catalog_lookup(scratch.c, "before.example", 14));
}

/* A line "lK.example<TAB>S<TAB>R<TAB>https://000...<TAB>2026-01-01 (xxx...)" whose
 * source column is source_len bytes and date column date_len bytes (>= 13). */
static int sprintf_line_head(char *buf, size_t k)
{
    return snprintf(buf, 64, "l%zu.example\tS\tR\t", k);
}

static size_t long_line(char *buf, size_t k, size_t source_len, size_t date_len)
{
    size_t o = (size_t)sprintf_line_head(buf, k);
    memcpy(buf + o, "https://", 8);
    memset(buf + o + 8, '0', source_len - 8);
    o += source_len;
    buf[o++] = '\t';
    memcpy(buf + o, "2026-01-01 (", 12);
    memset(buf + o + 12, 'x', date_len - 13);
    buf[o + date_len - 1] = ')';
    o += date_len;
    buf[o++] = '\n';
    return o;
}

/* Lines and columns at and past their limits. */
static void test_bad_lengths(void **state)
{
    char err[1024];
    scratch.c = catalog_new();
    assert_non_null(scratch.c);
    size_t n = CATALOG_LINE_MAX + 200;
    scratch.buf = malloc(n);
    assert_non_null(scratch.buf);
    static const struct {
        size_t source_len, date_len;
        const char *why; /* NULL: accepted */
    } rows[] = {
        {CATALOG_TEXT_MAX, 20, NULL},
        {CATALOG_TEXT_MAX + 1, 20, "source longer than 1024 bytes"},
        {20, CATALOG_DATE_MAX, NULL},
        {20, CATALOG_DATE_MAX + 1, "date longer than 128 bytes"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        size_t len = long_line(scratch.buf, k, rows[k].source_len, rows[k].date_len);
        err[0] = '\0';
        bool ok = load_text(scratch.c, scratch.buf, len, err, sizeof err);
        if (!rows[k].why) {
            if (!ok)
                fail_msg("row %zu refused: %s", k, err);
        } else {
            assert_false(ok);
            if (!strstr(err, rows[k].why))
                fail_msg("row %zu: '%s', want '%s'", k, err, rows[k].why);
        }
    }
    assert_int_equal(catalog_size(scratch.c), 2);
    /* a line of CATALOG_LINE_MAX + 1 bytes, even as a comment */
    memset(scratch.buf, '#', CATALOG_LINE_MAX + 1);
    scratch.buf[CATALOG_LINE_MAX + 1] = '\n';
    assert_false(load_text(scratch.c, scratch.buf, CATALOG_LINE_MAX + 2, err, sizeof err));
    assert_non_null(strstr(err, "t.tsv:1: line longer than 4096 bytes"));
    /* exactly CATALOG_LINE_MAX is fine */
    assert_true(load_text(scratch.c, scratch.buf, CATALOG_LINE_MAX, err, sizeof err));
    /* a file over the limit is refused before a byte of it is read */
    assert_false(catalog_load_buffer(scratch.c, "big.tsv", scratch.buf, CATALOG_FILE_MAX + 1, err,
                                     sizeof err));
    assert_non_null(strstr(err, "big.tsv: file too large"));
}

/* ---- good files: the format's leeway ---- */

static void test_format_leeway(void **state)
{
    char err[1024] = "";
    scratch.c = catalog_new();
    assert_non_null(scratch.c);
    static const char text[] =
        "\xef\xbb\xbf# pattern\tservice\trole\tsource\tdate\r\n"
        "\r\n"
        " \t \n"
        "  X.Example.  \t Svc \t Role \t https://e.org/a#frag \t 2026-01-01 \r\n"
        "*.Y.example\tSvc\tRole2\thttps://e.org\tnot found; read 2026-12-01";
    if (!load_text(scratch.c, text, sizeof text - 1, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(catalog_size(scratch.c), 2);
    const struct catalog_entry *e = catalog_lookup(scratch.c, "x.example", 9);
    assert_non_null(e);
    assert_string_equal(e->pattern, "x.example");
    assert_string_equal(e->service, "Svc");
    assert_string_equal(e->role, "Role");
    assert_string_equal(e->source, "https://e.org/a#frag"); /* '#' inside a column is data */
    assert_string_equal(e->date, "2026-01-01");
    assert_string_equal(e->origin, "t.tsv:4");
    e = catalog_lookup(scratch.c, "a.b.y.example", 13);
    assert_non_null(e);
    assert_string_equal(e->pattern, "*.y.example");
    assert_string_equal(e->origin, "t.tsv:5");
    assert_null(catalog_lookup(scratch.c, "y.example", 9)); /* never the apex */
    assert_true(catalog_lint(scratch.c, err, sizeof err));
    /* an empty file is a file with no entries */
    assert_true(load_text(scratch.c, "", 0, err, sizeof err));
    assert_int_equal(catalog_size(scratch.c), 2);
}

/* Most specific wins: exact, then the longest wildcard suffix, whatever the
 * load order. */
static void test_most_specific(void **state)
{
    char err[1024] = "";
    scratch.c = catalog_new();
    assert_non_null(scratch.c);
    static const char text[] = "*.c.example\tS\tc\thttps://e.org\t2026-01-01\n"
                               "x.b.c.example\tS\texact\thttps://e.org\t2026-01-01\n"
                               "*.b.c.example\tS\tb\thttps://e.org\t2026-01-01\n"
                               "b.c.example\tS\tapex-b\thttps://e.org\t2026-01-01\n";
    if (!load_text(scratch.c, text, sizeof text - 1, err, sizeof err))
        fail_msg("%s", err);
    static const struct {
        const char *name;
        const char *role;
    } rows[] = {
        {"x.b.c.example", "exact"}, {"y.b.c.example", "b"}, {"z.y.b.c.example", "b"},
        {"b.c.example", "apex-b"},  {"q.c.example", "c"},   {"X.B.C.EXAMPLE.", "exact"},
        {"c.example", NULL},        {"xb.c.example", "c"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const struct catalog_entry *e =
            catalog_lookup(scratch.c, rows[k].name, strlen(rows[k].name));
        if (!rows[k].role) {
            assert_null(e);
            continue;
        }
        if (!e)
            fail_msg("%s: no entry, want %s", rows[k].name, rows[k].role);
        if (strcmp(e->role, rows[k].role) != 0)
            fail_msg("%s: %s won, want %s", rows[k].name, e->role, rows[k].role);
    }
    assert_null(catalog_lookup(NULL, "x", 1));
    assert_null(catalog_lookup(scratch.c, NULL, 0));
}

/* ---- the lint ---- */

struct lint_case {
    const char *what;
    const char *in;
    size_t in_len;
    const char *why; /* a substring of the lint's message */
};

static const struct lint_case lint_cases[] = {
    {"lint entry without a source", IN(GOOD "x.example\tS\tR\t\t2026-01-01\n"),
     "t.tsv:2: 'x.example' has no source"},
    {"lint source without a URL", IN("x.example\tS\tR\tthe vendor's page\t2026-01-01\n"),
     "t.tsv:1: the source of 'x.example' names no URL"},
    {"lint entry without a date", IN("x.example\tS\tR\thttps://e.org\t\n"),
     "t.tsv:1: 'x.example' has no date"},
    {"lint date of another shape", IN("x.example\tS\tR\thttps://e.org\tlast year\n"),
     "neither YYYY-MM-DD nor 'not found ...'"},
    {"lint date not a date", IN("x.example\tS\tR\thttps://e.org\t2026-1-01\n"),
     "neither YYYY-MM-DD"},
    {"lint rotating note without a source",
     IN(GOOD "@rotating\tHugging Face Hub\tallow *.hf.co\t\t2026-01-01\n"),
     "t.tsv:2: the @rotating note of 'Hugging Face Hub' has no source URL"},
    {"lint rotating note for an unknown service",
     IN(GOOD "@rotating\tNobody\tallow *.x\thttps://e.org\t2026-01-01\n"),
     "t.tsv:2: @rotating note for 'Nobody', a service with no entries"},
    {NULL, NULL, 0, NULL},
};

static void run_lint_case(void **state)
{
    const struct lint_case *t = *state;
    char err[1024] = "";
    scratch.c = catalog_new();
    assert_non_null(scratch.c);
    if (!load_text(scratch.c, t->in, t->in_len, err, sizeof err))
        fail_msg("refused while loading: %s", err);
    assert_false(catalog_lint(scratch.c, err, sizeof err));
    if (!strstr(err, t->why))
        fail_msg("lint said '%s', want '%s'", err, t->why);
}

struct profile_case {
    const char *what;
    const char *text;
    const char *why; /* NULL: passes */
};

#define PHEAD "# profile: p\n# source: https://e.org/page\n# date: 2026-01-01\n# read: 2026-12-01\n"

static const struct profile_case profile_cases[] = {
    {"profile header source covers the rules", PHEAD "a.example\n*.b.example  # comment\n", NULL},
    {"profile with no rules", PHEAD "# nothing to allow\n", NULL},
    {"profile groups with their own sources",
     PHEAD "a.example\n# source: https://other.example/doc (group)\nb.example\n", NULL},
    {"profile rule before any source",
     "# profile: p\n  a.example\n# source: https://e.org\n# date: 2026-01-01\n# read: x\n",
     ":2: rule 'a.example' has no '# source:' line before it"},
    {"profile source without a URL", PHEAD "# source: the vendor's page\nb.example\n",
     ":5: a '# source:' line that names no URL"},
    {"profile without a date", "# source: https://e.org\n# read: 2026-12-01\na.example\n",
     "no '# date:' line"},
    {"profile without a read date", "# source: https://e.org\n# date: 2026-01-01\na.example\n",
     "no '# read:' line"},
    {"profile with no source at all", "# date: 2026-01-01\n# read: 2026-12-01\n",
     "no '# source:' line"},
    {NULL, NULL, NULL},
};

static void run_profile_case(void **state)
{
    const struct profile_case *t = *state;
    char err[1024] = "";
    snprintf(scratch.file, sizeof scratch.file, "/tmp/ea-test-profile-%ld.rules", (long)getpid());
    FILE *f = fopen(scratch.file, "w");
    assert_non_null(f);
    fputs(t->text, f);
    assert_int_equal(fclose(f), 0);
    bool ok = catalog_lint_profile(scratch.file, err, sizeof err);
    if (!t->why) {
        if (!ok)
            fail_msg("%s", err);
        return;
    }
    assert_false(ok);
    if (strncmp(err, scratch.file, strlen(scratch.file)) != 0 || !strstr(err, t->why))
        fail_msg("lint said '%s', want '%s' after the path", err, t->why);
}

/* ---- directories ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_load_dir(void **state)
{
    char err[1024] = "";
    snprintf(scratch.dir, sizeof scratch.dir, "/tmp/ea-test-catalog-%ld", (long)getpid());
    assert_int_equal(mkdir(scratch.dir, 0700), 0);
    scratch.c = catalog_new();
    assert_non_null(scratch.c);
    assert_false(catalog_load_dir(scratch.c, scratch.dir, err, sizeof err));
    assert_non_null(strstr(err, "no catalog files (*.tsv)"));
    write_file(scratch.dir, "a.tsv", "a.example\tA\tR\thttps://e.org\t2026-01-01\n");
    write_file(scratch.dir, "notes.txt", "not a catalog file\n");
    write_file(scratch.dir, ".hidden.tsv", "broken\n");
    assert_true(catalog_load_dir(scratch.c, scratch.dir, err, sizeof err));
    assert_int_equal(catalog_size(scratch.c), 1);
    /* a bad second file refuses the directory, and the first file's entries too */
    write_file(scratch.dir, "b.tsv", "b.example\tB\tR\thttps://e.org\t2026-01-01\nbad line\n");
    struct catalog *c2 = catalog_new();
    assert_non_null(c2);
    bool ok = catalog_load_dir(c2, scratch.dir, err, sizeof err);
    size_t size = catalog_size(c2);
    catalog_free(c2);
    assert_false(ok);
    assert_int_equal(size, 0);
    assert_non_null(strstr(err, "/b.tsv:2: 1 tab-separated column"));
    /* a missing directory, a missing file, a directory as a file */
    assert_false(catalog_load_dir(scratch.c, "/nonexistent/ea-services", err, sizeof err));
    assert_non_null(strstr(err, "cannot read the service catalog in '/nonexistent/ea-services'"));
    assert_false(catalog_load_file(scratch.c, "/nonexistent/x.tsv", err, sizeof err));
    assert_non_null(strstr(err, "cannot open '/nonexistent/x.tsv'"));
    assert_false(catalog_load_file(scratch.c, scratch.dir, err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(catalog_size(scratch.c), 1);
}

static void test_catalog_dir(void **state)
{
    assert_int_equal(setenv("EGRESS_AUDIT_SERVICES", "/some/where", 1), 0);
    assert_string_equal(catalog_dir(), "/some/where");
    assert_int_equal(unsetenv("EGRESS_AUDIT_SERVICES"), 0);
    const char *d = catalog_dir();
    assert_true(strcmp(d, EA_DATADIR "/services") == 0 || strcmp(d, EA_SOURCE_SERVICES) == 0);
}

/* ---- hostile bytes: whatever the text, no crash, no over-read, no leak ---- */

static void test_hostile_text(void **state)
{
    char err[256];
    static const char alphabet[] = "\t\n\r #@*.-_aAz09\x01\x7f\x80\xff:/";
    uint32_t x = 2463534242u; /* xorshift32: the same bytes every run */
    scratch.buf = malloc(4096);
    assert_non_null(scratch.buf);
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(round % 300);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            scratch.buf[i] = alphabet[x % (sizeof alphabet - 1)];
        }
        struct catalog *c = catalog_new();
        assert_non_null(c);
        if (load_text(c, scratch.buf, len, err, sizeof err)) {
            /* whatever loaded is found again by its own pattern */
            for (size_t i = 0; i < catalog_size(c); i++) {
                const struct catalog_entry *e = catalog_entry_at(c, i);
                bool wild = e->pattern[0] == '*';
                char name[300];
                snprintf(name, sizeof name, "%s%s", wild ? "a." : "", e->pattern + (wild ? 2 : 0));
                const struct catalog_entry *got = catalog_lookup(c, name, strlen(name));
                assert_non_null(got);
                if (!wild)
                    assert_ptr_equal(got, e);
            }
            (void)catalog_lint(c, err, sizeof err);
        }
        catalog_free(c);
    }
}

int main(void)
{
    static struct CMUnitTest
        tests[ROWS(lookup_cases) + ROWS(bad_cases) + ROWS(lint_cases) + ROWS(profile_cases) + 10];
    size_t n = 0;
    for (const struct lookup_case *t = lookup_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_lookup_case, NULL, scratch_free, (void *)t};
    for (const struct bad_case *t = bad_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_bad_case, NULL, scratch_free, (void *)t};
    for (const struct lint_case *t = lint_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_lint_case, NULL, scratch_free, (void *)t};
    for (const struct profile_case *t = profile_cases; t->what; t++)
        tests[n++] = (struct CMUnitTest){t->what, run_profile_case, NULL, scratch_free, (void *)t};
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_lookup_long_names, scratch_free);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test_teardown(test_shipped_catalog_lints, scratch_free);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test_teardown(test_shipped_files_each_lint, scratch_free);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test_teardown(test_shipped_profiles_lint, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_bad_lengths, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_format_leeway, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_most_specific, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_load_dir, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_catalog_dir, scratch_free);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_hostile_text, scratch_free);
    if (n != sizeof tests / sizeof tests[0])
        abort(); /* the array size above does not match the rows */
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
