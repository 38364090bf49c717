// `taskrail token create|list|revoke`: API tokens for the HTTP API (the secret is shown once).
import { Command, Option } from "commander";
import type { ApiToken } from "../../core/api-token.js";
import { ROLES } from "../../core/api-token.js";
import { issueApiToken, revokeApiToken } from "../../client/api-tokens.js";
import { runAction, withTaskrail } from "../cli-context.js";
import { EXIT } from "../exit-codes.js";
import { formatTable, formatTime, printJson } from "../output.js";

const EXAMPLES = `
Examples:
  $ taskrail token create --role admin
  $ taskrail token create --tenant acme --role operator --name "acme deploys" --json
  $ taskrail token list
  $ taskrail token revoke tok_3f2a9c0d1e4b5a69

The secret (trk_…) is printed once and stored only as its sha-256: keep it. HTTP clients
send it as "Authorization: Bearer <token>". Admin tokens cover every tenant; operator
(read and change) and viewer (read) tokens are bound to one tenant.`;

function tokenRows(tokens: ApiToken[]): string[][] {
  return tokens.map((t) => [t.id, t.role, t.tenant, t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : "active", formatTime(t.createdAt), t.name ?? "-"]);
}

/** Registers `token` and its subcommands on the program. */
export function registerTokenCommand(program: Command): Command {
  const token = program
    .command("token")
    .summary("create, list and revoke API tokens")
    .description("Manage the bearer tokens of the HTTP API (taskrail serve).")
    .addHelpText("after", EXAMPLES);
  token
    .command("create")
    .description("Create a token and print its secret once.")
    .option("--tenant <TENANT>", 'tenant the token is bound to ("*" or omitted for admin tokens)')
    .addOption(new Option("--role <ROLE>", "what the token may do").choices([...ROLES]).makeOptionMandatory())
    .option("--name <TEXT>", "a note to tell tokens apart")
    .option("--json", 'print { "id", "token", "tenant", "role", "name" }')
    .action((flags: { tenant?: string; role: string; name?: string; json?: boolean }, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskrail(cmd, async (tr) => {
          const issued = await issueApiToken(tr.store, { tenant: flags.tenant, role: flags.role as never, name: flags.name });
          if (flags.json) printJson(issued);
          else {
            console.log(`created ${issued.role} token ${issued.id} for tenant ${issued.tenant}`);
            console.log(`token (shown once, keep it): ${issued.token}`);
          }
          return EXIT.ok;
        }),
      ),
    );
  token
    .command("list")
    .description("List tokens (never their secrets), revoked ones too.")
    .option("--json", "print the tokens as one JSON array")
    .action((flags: { json?: boolean }, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskrail(cmd, async (tr) => {
          const tokens = await tr.store.listApiTokens(null);
          if (flags.json) printJson(tokens);
          else if (tokens.length === 0) console.log("no tokens (taskrail serve creates the first admin token on its first start)");
          else console.log(formatTable(["ID", "ROLE", "TENANT", "STATE", "CREATED", "NAME"], tokenRows(tokens)));
          return EXIT.ok;
        }),
      ),
    );
  token
    .command("revoke")
    .description("Revoke a token: it stops working (within 5 s on running servers).")
    .argument("<ID>", "token id (tok_…)")
    .option("--json", "print the revoked token as JSON")
    .action((id: string, flags: { json?: boolean }, cmd: Command) =>
      runAction(flags.json, () =>
        withTaskrail(cmd, async (tr) => {
          const revoked = await revokeApiToken(tr.store, id, null);
          if (flags.json) printJson(revoked);
          else console.log(`revoked token ${revoked.id}`);
          return EXIT.ok;
        }),
      ),
    );
  return token;
}
