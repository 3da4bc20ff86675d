#!/usr/bin/python3
"""Renders templates with ansible-core's own Templar, exactly as the template action plugin
does (ansible/plugins/action/template.py: AnsibleEnvironment, template vars, search path,
do_template with preserve_trailing_newlines), all in ONE Python process: much faster than
ansible-playbook looping the template module.

usage: render_with_ansible.py VARS_JSON OUT_DIR TEMPLATE...
VARS_JSON holds the task variables (the same ones chom-play renders with)."""
import json
import os
import sys

from ansible.parsing.dataloader import DataLoader
from ansible.template import AnsibleEnvironment, Templar, generate_ansible_template_vars


def main():
    vars_file, out_dir, templates = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(vars_file, encoding='utf-8') as f:
        task_vars = json.load(f)
    loader = DataLoader()
    failures = 0
    for source in templates:
        searchpath = []
        for p in [loader.get_basedir(), os.path.dirname(source)]:
            searchpath += [os.path.join(p, 'templates'), p]
        temp_vars = dict(task_vars)
        dest = os.path.join(out_dir, os.path.basename(source))
        temp_vars.update(generate_ansible_template_vars(source, source, dest))
        templar = Templar(loader=loader, variables=temp_vars)
        templar = templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=searchpath,
                                            newline_sequence='\n', trim_blocks=True, lstrip_blocks=False,
                                            available_variables=temp_vars)
        with open(source, 'rb') as f:
            data = f.read().decode('utf-8')
        try:
            out = templar.do_template(data, preserve_trailing_newlines=True, escape_backslashes=False)
        except Exception as e:  # report and go on: the test names the template
            failures += 1
            with open(dest + '.error', 'w', encoding='utf-8') as f:
                f.write('%s: %s\n' % (type(e).__name__, e))
            continue
        with open(dest, 'wb') as f:
            f.write(out.encode('utf-8'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
