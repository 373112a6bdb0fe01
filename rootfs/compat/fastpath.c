/* Why this file exists: two hot spots of wasi-libc (musl) that native glibc
 * does much better: `sort -n` of 300,000 lines took 6.7 times native
 * (bench/), 1.0 times with these (build.sh: --wrap=qsort,--wrap=strtod).
 *
 * qsort: musl's is smoothsort, which on random input makes about 2.9 times
 * the comparisons of glibc's merge sort (14.6 M against 5.1 M for 300,000
 * lines), and each comparison is an indirect call (sort -n: two strtod).
 * __wrap_qsort is a merge sort into a scratch buffer, like glibc's; without
 * the memory it falls back to musl's (__real_qsort).
 *
 * strtod: musl's goes through a FILE-shaped scanner (__floatscan), several
 * hundred ns for a short integer.  __wrap_strtod handles plain decimal
 * numbers ([space][sign]digits[.digits], at most 19 digits, no exponent)
 * exactly: an integer of up to 19 digits converts to double with one
 * correctly rounded conversion, and a mantissa below 2^53 over a power of ten
 * up to 10^22 is a single correctly rounded division (Clinger's fast path);
 * everything else goes to musl's (__real_strtod).  atof is strtod(s, 0). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void __real_qsort(void *, size_t, size_t, int (*)(const void *, const void *));
double __real_strtod(const char *restrict, char **restrict);

static void msort_ptr(void **a, void **tmp, size_t n, int (*cmp)(const void *, const void *))
{
	size_t n1, n2, i, j, k;
	if (n <= 1)
		return;
	n1 = n / 2;
	n2 = n - n1;
	msort_ptr(a, tmp, n1, cmp);
	msort_ptr(a + n1, tmp, n2, cmp);
	/* Already in order: nothing to merge (one comparison). */
	if (cmp(&a[n1 - 1], &a[n1]) <= 0)
		return;
	memcpy(tmp, a, n1 * sizeof *a);
	i = 0; j = n1; k = 0;
	while (i < n1 && j < n) {
		if (cmp(&tmp[i], &a[j]) <= 0)
			a[k++] = tmp[i++];
		else
			a[k++] = a[j++];
	}
	while (i < n1)
		a[k++] = tmp[i++];
}

static void msort_gen(char *a, char *tmp, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	size_t n1, n2;
	char *i, *j, *k, *ie, *je;
	if (n <= 1)
		return;
	n1 = n / 2;
	n2 = n - n1;
	msort_gen(a, tmp, n1, size, cmp);
	msort_gen(a + n1 * size, tmp, n2, size, cmp);
	if (cmp(a + (n1 - 1) * size, a + n1 * size) <= 0)
		return;
	memcpy(tmp, a, n1 * size);
	i = tmp; ie = tmp + n1 * size;
	j = a + n1 * size; je = a + n * size;
	k = a;
	while (i < ie && j < je) {
		if (cmp(i, j) <= 0) {
			memcpy(k, i, size); i += size;
		} else {
			memcpy(k, j, size); j += size;
		}
		k += size;
	}
	if (i < ie)
		memcpy(k, i, ie - i);
}

void __wrap_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	void *tmp;
	if (n < 2 || size == 0)
		return;
	/* The merge needs room for the first half only. */
	if (n / 2 > SIZE_MAX / size || !(tmp = malloc((n / 2) * size))) {
		__real_qsort(base, n, size, cmp);
		return;
	}
	if (size == sizeof(void *) && ((uintptr_t)base & (sizeof(void *) - 1)) == 0)
		msort_ptr(base, tmp, n, cmp);
	else
		msort_gen(base, tmp, n, size, cmp);
	free(tmp);
}

static const double pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

double __wrap_strtod(const char *restrict s, char **restrict end)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t m = 0;
	int digits = 0, frac = 0, neg = 0;
	double v;

	while (*p == ' ' || (unsigned)(*p - '\t') < 5)
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; (unsigned)(*p - '0') < 10; p++, digits++)
		m = m * 10 + (*p - '0');
	if (*p == '.')
		for (p++; (unsigned)(*p - '0') < 10; p++, digits++, frac++)
			m = m * 10 + (*p - '0');
	/* No digits (".", "inf", "nan"), too many for m, an exponent, or
	 * hexadecimal ("0x..." stops at the x): the full scanner. */
	if (digits == 0 || digits > 19 || (*p | 0x20) == 'e' || (*p | 0x20) == 'x')
		return __real_strtod(s, end);
	if (frac == 0) {
		v = (double)m;
	} else {
		if (m > (UINT64_C(1) << 53) || frac > 22)
			return __real_strtod(s, end);
		v = (double)m / pow10[frac];
	}
	if (end)
		*end = (char *)p;
	return neg ? -v : v;
}
