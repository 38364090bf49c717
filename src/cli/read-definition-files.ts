// Reads definition files for `defs create|apply -f`: one file, or every .json/.yaml/.yml file
// of a folder (sorted); a YAML file may hold several definitions as `---` documents.
import { readFile, readdir, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { ValidationError, errorMessage } from "../core/errors.js";
import { isPlainObject } from "../core/json.js";
import { parseTaskFileText } from "./read-task-file.js";

/** One definition read from disk, with where it came from (for error messages). */
export interface DefinitionSource {
  /** `file` or `file#N` for the N-th YAML document. */
  origin: string;
  value: Record<string, unknown>;
}

const DEFINITION_EXTENSIONS = new Set([".json", ".yaml", ".yml"]);

function parseFile(text: string, file: string): DefinitionSource[] {
  const ext = extname(file).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    const nonEmpty = list.filter((d) => d.contents !== null);
    if (nonEmpty.length > 1) {
      return nonEmpty.map((doc, i) => {
        if (doc.errors.length > 0) {
          throw new ValidationError([{ path: "", message: `not valid YAML: ${doc.errors[0].message.split("\n")[0]}` }], `invalid definition file ${file}#${i + 1}`);
        }
        const value = doc.toJS() as unknown;
        if (!isPlainObject(value)) throw new ValidationError([{ path: "", message: "must hold an object" }], `invalid definition file ${file}#${i + 1}`);
        return { origin: `${file}#${i + 1}`, value };
      });
    }
  }
  return [{ origin: file, value: parseTaskFileText(text, file) }];
}

/** The definitions in `path` (a file, or a folder of files). */
export async function readDefinitionFiles(path: string): Promise<DefinitionSource[]> {
  const full = resolve(path);
  let isDir: boolean;
  try {
    isDir = (await stat(full)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError([{ path: "--file", message: `cannot read ${path}: ${code === "ENOENT" ? "no such file or folder" : errorMessage(err)}` }], "invalid option");
  }
  const files = isDir
    ? (await readdir(full)).filter((n) => DEFINITION_EXTENSIONS.has(extname(n).toLowerCase())).sort().map((n) => join(path, n))
    : [path];
  if (isDir && files.length === 0) throw new ValidationError([{ path: "--file", message: `${path} holds no .json, .yaml or .yml file` }], "invalid option");
  const out: DefinitionSource[] = [];
  for (const file of files) out.push(...parseFile(await readFile(resolve(file), "utf8"), file));
  return out;
}
