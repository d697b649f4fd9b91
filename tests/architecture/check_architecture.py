#!/usr/bin/env python3
"""The rules of docs/ARCHITECTURE.md that a machine can check, on the source tree.

    check_architecture.py [--root DIR]

Each rule prints the places that break it; the exit status is the number of broken rules
(0: the tree keeps every rule). The rules:

  includes   which library's headers each library includes (the "may include" table), and that
             nothing outside core/model reaches core/model/src (the white-box tests aside)
  links      which libraries each CMake target links; torch only in sdrt_model
  torch      torch, ATen and c10 headers only in core/model/src and the model's white-box tests
  qt         no Qt in core/common (but its qt/ Result target) and core/model; no Qt Widgets
             header under core/
  sql        SQLite and SQL statements only in core/store
  widgets    no repository constructed under ui/src outside controllers and the workspace session
  size       no function over 80 lines and no file over 500 lines in app/, core/ and ui/, but
             those named in EXCEPTIONS below with their reason (none over 120 lines)
  translations  every context of resources/translations/*.ts is one the code translates in
"""
import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import code_size  # noqa: E402

# Library folder -> the sdrt/<name>/ include folders it may use (its own always).
MAY_INCLUDE = {
    'core/common': {'common'},
    'core/common/qt': {'common'},
    'core/store': {'common'},
    'core/prompts': {'common', 'store'},
    'core/assets': {'common', 'store'},
    'core/model': {'common'},
    'core/teacher': {'common', 'store', 'prompts', 'model', 'assets'},
    'core/review': {'common', 'store', 'prompts'},
    'core/demo': {'common', 'store', 'model', 'prompts', 'teacher'},
    'core/distill/config': {'common', 'review'},
    'core/distill': {'common', 'store', 'model', 'review', 'teacher'},
    'core/eval': {'common', 'store', 'prompts', 'model', 'teacher', 'distill', 'review'},
    'ui': {'common', 'store', 'prompts', 'assets', 'model', 'teacher', 'review', 'distill', 'eval', 'demo'},
}
# Include folder name -> library folder (sdrt/distill/DistillConfig.h lives in core/distill/config).
INCLUDE_HOME = {'ui': 'ui'}

# CMake target -> the project targets it may link (its policy and Qt/system libraries aside).
MAY_LINK = {
    'sdrt_common': set(),
    'sdrt_result': {'sdrt_common'},
    'sdrt_store': {'sdrt_common', 'sdrt_result'},
    'sdrt_prompts': {'sdrt_common', 'sdrt_store'},
    'sdrt_assets': {'sdrt_common', 'sdrt_store'},
    'sdrt_model': {'sdrt_common', 'sdrt_spm'},
    'sdrt_teacher': {'sdrt_store', 'sdrt_prompts', 'sdrt_model', 'sdrt_assets'},
    'sdrt_review': {'sdrt_store', 'sdrt_prompts'},
    'sdrt_demo': {'sdrt_common', 'sdrt_model', 'sdrt_prompts', 'sdrt_teacher'},
    'sdrt_distill_config': {'sdrt_result', 'sdrt_review'},
    'sdrt_distill': {'sdrt_distill_config', 'sdrt_model', 'sdrt_store', 'sdrt_review', 'sdrt_teacher'},
    'sdrt_eval': {'sdrt_common', 'sdrt_store', 'sdrt_prompts', 'sdrt_teacher', 'sdrt_distill'},
}
TORCH_TARGETS = {'sdrt_model'}

# Functions over 80 lines (none over 120) and files over 500 lines that stay so, each with why.
# Keys: "path:function" or "path".
EXCEPTIONS = {
}

WIDGET_HEADERS = set()
_qt_widgets = '/usr/include/x86_64-linux-gnu/qt6/QtWidgets'
if os.path.isdir(_qt_widgets):
    WIDGET_HEADERS = {n for n in os.listdir(_qt_widgets) if n.startswith('Q') and '.' not in n}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
SQL = re.compile(r'"\s*(SELECT\s+\w|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX|UNIQUE)\s|PRAGMA\s)')
REPOSITORY = re.compile(r'\bstore::(\w+Repository)\s*(\w+\s*)?[({]')


def files_under(root, folder, suffixes=('.cpp', '.h')):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
        dirnames.sort()
        for n in sorted(filenames):
            if n.endswith(suffixes):
                yield os.path.join(dirpath, n)


def sources(root, folders, skip=(), suffixes=('.cpp', '.h')):
    """(path, path relative to root, text) of the sources under `folders`, but those whose
    relative path starts with one of `skip`."""
    for folder in folders:
        for path in files_under(root, folder, suffixes):
            rel = os.path.relpath(path, root)
            if not rel.startswith(tuple(skip)):
                yield path, rel, read(path)


def library_of(rel):
    """The library folder a source file belongs to (the longest MAY_INCLUDE key that holds it)."""
    best = None
    for lib in MAY_INCLUDE:
        if rel == lib or rel.startswith(lib + '/'):
            if best is None or len(lib) > len(best):
                best = lib
    return best


def read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


def check_includes(root):
    problems = []
    model_private = {n for n in os.listdir(os.path.join(root, 'core/model/src')) if n.endswith('.h')}
    for path, rel, text in sources(root, ('core', 'ui', 'app')):
        lib = library_of(rel)
        for kind, name in INCLUDE.findall(text):
            m = re.match(r'sdrt/(\w+)/', name)
            if m and lib:
                used = m.group(1)
                own = lib.split('/')[1] if lib.startswith('core/') else lib
                if used != own and used not in MAY_INCLUDE[lib]:
                    problems.append(f'{rel}: includes {name}; {lib} may include {sorted(MAY_INCLUDE[lib])}')
            if kind == '"' and '/' not in name and name in model_private and not rel.startswith('core/model/'):
                if not os.path.exists(os.path.join(os.path.dirname(path), name)):
                    problems.append(f'{rel}: includes core/model/src/{name}, a private header of the runtime')
    return problems


def cmake_links(root):
    """target -> (set of linked project targets, links torch)"""
    links = {}
    for dirpath, _, filenames in os.walk(root):
        if '/build' in dirpath or '/.git' in dirpath or 'node_modules' in dirpath:
            continue
        if 'CMakeLists.txt' not in filenames:
            continue
        text = read(os.path.join(dirpath, 'CMakeLists.txt'))
        for m in re.finditer(r'target_link_libraries\(\s*([\w-]+)(.*?)\)', text, re.S):
            target, body = m.group(1), m.group(2)
            body = re.sub(r'#[^\n]*', '', body)
            names = set(re.findall(r'\bsdrt_\w+', body)) - {'sdrt_policy'}
            entry = links.setdefault(target, [set(), False])
            entry[0] |= names
            entry[1] |= 'TORCH_LIBRARIES' in body
    return links


def check_links(root):
    problems = []
    links = cmake_links(root)
    for target, allowed in MAY_LINK.items():
        if target not in links:
            continue
        used, torch = links[target]
        extra = used - allowed - {target}
        if extra:
            problems.append(f'{target} links {sorted(extra)}; it may link {sorted(allowed)}')
    for target, (_, torch) in links.items():
        if torch and (target.startswith('sdrt') or target in MAY_LINK) and target not in TORCH_TARGETS:
            problems.append(f'{target} links LibTorch; only {sorted(TORCH_TARGETS)} may')
    return problems


def check_torch(root):
    problems = []
    for _, rel, text in sources(root, ('core', 'ui', 'app'), skip=('core/model/src/',)):
        for _, name in INCLUDE.findall(text):
            if re.match(r'(torch|ATen|c10|caffe2)/', name):
                problems.append(f'{rel}: includes {name}; torch stays in core/model/src')
    return problems


def check_qt(root):
    problems = []
    for _, rel, text in sources(root, ('core/common', 'core/model'), skip=('core/common/qt/',)):
        for kind, name in INCLUDE.findall(text):
            if kind == '<' and re.match(r'Q[A-Z]\w*$|Qt\w*/', name):
                problems.append(f'{rel}: includes <{name}>; {rel.split("/")[0]}/{rel.split("/")[1]} builds without Qt')
    for _, rel, text in sources(root, ('core',)):
        for kind, name in INCLUDE.findall(text):
            if kind == '<' and (name.startswith('QtWidgets/') or name in WIDGET_HEADERS):
                problems.append(f'{rel}: includes <{name}>, a Qt Widgets header; core has no widgets')
    return problems


def check_sql(root):
    problems = []
    for _, rel, text in sources(root, ('core', 'ui', 'app'), skip=('core/store/',)):
        for _, name in INCLUDE.findall(text):
            if name == 'sqlite3.h':
                problems.append(f'{rel}: includes sqlite3.h; SQL lives in core/store')
        for m in SQL.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            problems.append(f'{rel}:{line}: an SQL statement; SQL lives in core/store')
    return problems


def check_widgets(root):
    problems = []
    for _, rel, text in sources(root, ('ui/src',), suffixes=('.cpp',)):
        name = os.path.basename(rel)
        if name.endswith('Controller.cpp') or name == 'WorkspaceSession.cpp':
            continue
        text = code_size.blank_literals(text)
        for m in REPOSITORY.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            problems.append(f'{rel}:{line}: constructs store::{m.group(1)}; widgets ask a controller or the session')
    return problems


def check_size(root):
    problems = []
    funcs, files = code_size.measure(root, ['app', 'core', 'ui'])
    for length, rel, name, first in funcs:
        key = f'{rel}:{name}'
        if length > 120 or (length > 80 and key not in EXCEPTIONS):
            problems.append(f'{rel}:{first}: {name} has {length} lines (at most 80{"; 120 with a named reason" if length <= 120 else ""})')
    for lines, rel in files:
        if lines > 500 and rel not in EXCEPTIONS:
            problems.append(f'{rel}: {lines} lines (at most 500)')
    known = {f'{rel}:{name}' for _, rel, name, _ in funcs} | {rel for _, rel in files}
    for key in EXCEPTIONS:
        if key not in known:
            problems.append(f'EXCEPTIONS names {key}, which is not in the tree any more: take it out')
    return problems


def check_translations(root):
    """Every context of the translation files is one the code translates in at run time. lupdate
    files a free tr() helper called in a member function under that class, which the code never
    asks for: those strings would never show translated."""
    folder = os.path.join(root, 'resources/translations')
    if not os.path.isdir(folder):
        return []
    used = set()
    for _, _, text in sources(root, ('app', 'core', 'ui')):
        used |= set(re.findall(r'translate\(\s*"([^"]+)"', text))
        used |= set(re.findall(r'Q_DECLARE_TR_FUNCTIONS\((\w+)\)', text))
        for m in re.finditer(r'\bclass\s+(\w+)[^;{]*\{\s*Q_OBJECT', text):
            spaces = re.findall(r'namespace\s+([\w:]+)\s*\{', text[:m.start()])
            used.add(f'{spaces[-1]}::{m.group(1)}' if spaces else m.group(1))
    problems = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.ts'):
            continue
        for context in re.findall(r'<context>\s*<name>([^<]+)</name>', read(os.path.join(folder, name))):
            if context not in used:
                problems.append(f'resources/translations/{name}: context {context} is used by no code at run time, so its '
                                f'strings never show translated (a free tr() in a member function is filed under the class)')
    return problems


RULES = [('includes', check_includes), ('links', check_links), ('torch', check_torch), ('qt', check_qt), ('sql', check_sql),
         ('widgets', check_widgets), ('size', check_size), ('translations', check_translations)]


def self_test():
    """Each rule finds a planted break in a small tree: a check that cannot fail checks nothing."""
    import tempfile
    planted = {
        'includes': ('core/store/src/Bad.cpp', '#include "sdrt/eval/Compare.h"\n'),
        'links': ('core/store/CMakeLists.txt', 'target_link_libraries(sdrt_store PUBLIC sdrt_eval ${TORCH_LIBRARIES})\n'),
        'torch': ('core/distill/src/Bad.cpp', '#include <torch/torch.h>\n'),
        'qt': ('core/model/src/Bad.cpp', '#include <QString>\n'),
        'sql': ('ui/src/Bad.cpp', 'auto s = db.prepare("SELECT id FROM items");\n'),
        'widgets': ('ui/src/BadPanel.cpp', 'void f() { store::ItemRepository items(db); }\n'),
        'size': ('app/Bad.cpp', 'int f()\n{\n' + '    ++x;\n' * 90 + '}\n'),
        'translations': ('resources/translations/sdrt_ja.ts', '<context>\n    <name>sdrt::teacher::Commits</name>\n</context>\n'),
    }
    failed = 0
    for name, rule in RULES:
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, 'core/model/src'))
            rel, text = planted[name]
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), 'w') as f:
                f.write(text)
            found = rule(tmp)
            print(f'self-test {name}: {"finds the planted break" if found else "MISSED the planted break"}')
            failed += not found
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
    parser.add_argument('--self-test', action='store_true', help='check that every rule finds a planted break')
    parser.add_argument('rules', nargs='*', help='only these rules (default: all)')
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    root = os.path.abspath(args.root)
    broken = 0
    for name, rule in RULES:
        if args.rules and name not in args.rules:
            continue
        problems = rule(root)
        print(f'{name}: {"ok" if not problems else f"{len(problems)} problem(s)"}')
        for p in problems:
            print(f'  {p}')
        broken += bool(problems)
    return broken


if __name__ == '__main__':
    sys.exit(main())
