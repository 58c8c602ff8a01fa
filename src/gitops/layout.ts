// Which stacks a repository holds. Under the source's path, each folder with a stack file is one
// stack named after the folder; a .yml/.yaml file directly under the path is a stack named after
// the file. Pure: the caller lists the folder.

/** Stack file names a folder may hold, in order of preference (only one is allowed). */
export const STACK_FILE_NAMES = ['stack.yml', 'stack.yaml', 'compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

const STACK_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface RepoListing {
  /** file names directly under the path */
  files: string[];
  /** each folder directly under the path → the file names in it */
  dirs: Record<string, string[]>;
}

export interface DiscoveredStack {
  name: string;
  /** the stack file, relative to the path */
  file: string;
}

export interface Discovery {
  stacks: DiscoveredStack[];
  /** one line each, naming the file */
  problems: string[];
}

const isYaml = (f: string) => /\.ya?ml$/.test(f) && !f.startsWith('.');

export function discoverStacks(listing: RepoListing): Discovery {
  const stacks: DiscoveredStack[] = [];
  const problems: string[] = [];
  const add = (name: string, file: string) => {
    if (!STACK_NAME.test(name)) {
      problems.push(`${file}: "${name}" cannot be a stack name: use lower-case letters, digits, "-" and "_" (at most 63)`);
      return;
    }
    const twin = stacks.find((s) => s.name === name);
    if (twin) problems.push(`${file}: stack "${name}" is defined twice (also by ${twin.file})`);
    else stacks.push({ name, file });
  };
  for (const dir of Object.keys(listing.dirs)
    .filter((d) => !d.startsWith('.'))
    .sort()) {
    const found = STACK_FILE_NAMES.filter((f) => listing.dirs[dir].includes(f));
    if (found.length > 1) problems.push(`${dir}/: more than one stack file (${found.join(', ')}); keep one`);
    else if (found.length === 1) add(dir, `${dir}/${found[0]}`);
  }
  for (const file of listing.files.filter(isYaml).sort()) add(file.replace(/\.ya?ml$/, ''), file);
  return { stacks: stacks.sort((a, b) => a.name.localeCompare(b.name)), problems };
}
