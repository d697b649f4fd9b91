#!/usr/bin/env python3
"""Function and file lengths of the project's C++ code.

A function's length counts lines from the line that holds its name to the line of
its closing brace, both included: the opening brace is found after the name's
parameter list and the body is closed by brace matching, with comments, string,
character and raw-string literals blanked first so braces inside them never count.
Lambdas and local classes belong to the function around them.

    code_size.py [--root DIR] [--function-limit 80] [--file-limit 500] [DIR ...]

prints every function over the function limit and every file over the file limit,
longest first, then one summary line. Exit status 0 always; tests/architecture's
check reads its functions through `measure`.
"""
import argparse
import os
import re
import sys

SOURCE_SUFFIXES = ('.cpp', '.h', '.hpp', '.cc')
NOT_FUNCTIONS = {'if', 'for', 'while', 'switch', 'catch', 'return', 'sizeof',
                 'decltype', 'alignof', 'static_assert', 'Q_FOREACH', 'defined'}


def blank_literals(text):
    """Return text of the same length and line structure with comments and literals
    replaced by spaces."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')) \
                or (c in 'uUL8' and re.match(r'(u8|u|U|L)R"', text[i:i + 4])
                    and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_'))):
            start = text.find('"', i)
            paren = text.find('(', start)
            delim = text[start + 1:paren]
            end = text.find(')' + delim + '"', paren)
            end = n if end < 0 else end + len(delim) + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:end]))
            i = end
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            # a ' between digits is a digit separator (1'000), not a character literal
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(c + ' ' * (j - i - 2) + (c if j - i >= 2 else ''))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def matching(text, open_index, open_char, close_char):
    depth = 0
    for k in range(open_index, len(text)):
        if text[k] == open_char:
            depth += 1
        elif text[k] == close_char:
            depth -= 1
            if depth == 0:
                return k
    return len(text) - 1


HEAD = re.compile(r'([~A-Za-z_][\w:~<>,\s]*?)\s*\(')


def functions(path):
    """Yield (name, first line, last line) for each function body in the file."""
    with open(path, encoding='utf-8', errors='replace') as f:
        raw = f.read()
    text = blank_literals(raw)
    line_starts = [0]
    for m in re.finditer('\n', text):
        line_starts.append(m.end())

    def line_of(index):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= index:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def scan(begin, end):
        """Scan a namespace or class body for function definitions."""
        i = begin
        statement_start = begin
        while i < end:
            c = text[i]
            if c in ';':
                statement_start = i + 1
            elif c == '}':
                statement_start = i + 1
            elif c == '{':
                close = matching(text, i, '{', '}')
                head = text[statement_start:i]
                kind = classify(head)
                if kind == 'scope':
                    yield from scan(i + 1, close)
                elif kind:
                    name_index = statement_start + kind[1]
                    yield kind[0], line_of(name_index), line_of(close)
                i = close
                statement_start = close + 1
            i += 1

    def classify(head):
        stripped = head.strip()
        if not stripped:
            return None
        if re.search(r'\b(namespace|class|struct|union)\b[^()]*$', stripped) or re.match(r'extern\s*$', stripped):
            return 'scope'
        if re.search(r'\benum\b', stripped) or stripped.endswith('=') or stripped.endswith(']'):
            return None
        # the parameter list: the last top-level (...) before trailers such as const,
        # noexcept, override, -> type, or a constructor's initialiser list
        depth = 0
        first_paren = None
        for k, ch in enumerate(head):
            if ch == '(':
                if depth == 0 and first_paren is None:
                    first_paren = k
                depth += 1
            elif ch == ')':
                depth -= 1
        if first_paren is None:
            return None
        before = head[:first_paren].rstrip()
        m = re.search(r'(operator\s*\S+|[~A-Za-z_][\w]*(?:<[^()]*>)?(?:::[~A-Za-z_]\w*)*)\s*$', before)
        if not m:
            return None
        name = m.group(1)
        last = re.split(r'::', name)[-1]
        if last in NOT_FUNCTIONS or name in NOT_FUNCTIONS:
            return None
        if re.match(r'^[A-Z_0-9]+$', last) and last not in ('Q_OBJECT',):
            # macros such as TEST_CASE(...) { ... } or Q_DECLARE...
            pass
        return name, m.start(1)

    yield from scan(0, len(text))


def source_files(root, folders):
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = sorted(d for d in dirnames if d not in ('spm',))
            for name in sorted(filenames):
                if name.endswith(SOURCE_SUFFIXES):
                    yield os.path.join(dirpath, name)


def measure(root, folders):
    """Return ([(length, path, name, first line)], [(lines, path)]) for the folders."""
    funcs, files = [], []
    for path in source_files(root, folders):
        rel = os.path.relpath(path, root)
        with open(path, encoding='utf-8', errors='replace') as f:
            files.append((sum(1 for _ in f), rel))
        for name, first, last in functions(path):
            funcs.append((last - first + 1, rel, name, first))
    return funcs, files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', default=os.path.join(os.path.dirname(__file__), '..', '..'))
    parser.add_argument('--function-limit', type=int, default=80)
    parser.add_argument('--file-limit', type=int, default=500)
    parser.add_argument('folders', nargs='*', default=['app', 'core', 'ui'])
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    funcs, files = measure(root, args.folders)
    long_funcs = sorted((f for f in funcs if f[0] > args.function_limit), reverse=True)
    long_files = sorted((f for f in files if f[0] > args.file_limit), reverse=True)
    for length, rel, name, first in long_funcs:
        print(f'function {length:4d} {rel}:{first} {name}')
    for lines, rel in long_files:
        print(f'file     {lines:4d} {rel}')
    print(f'{len(funcs)} functions in {len(files)} files under {", ".join(args.folders)}: '
          f'{len(long_funcs)} over {args.function_limit} lines '
          f'(longest {long_funcs[0][0] if long_funcs else 0}), '
          f'{len(long_files)} files over {args.file_limit} lines')
    return 0


if __name__ == '__main__':
    sys.exit(main())
