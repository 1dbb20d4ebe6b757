// The users service: one's own profile, and the list of users for the admin group.
import { dynamodb, fromItem, toItem } from "../lib/aws.mjs";
import { body, caller, notFound, respond, router } from "../lib/http.mjs";

const { USERS_TABLE } = process.env;

export const handler = router({
  "GET /users/me": async (event) => {
    const { userId } = caller(event);
    const found = await dynamodb("GetItem", { TableName: USERS_TABLE, Key: toItem({ userId }) });
    return found.Item ? respond(200, fromItem(found.Item)) : notFound();
  },
  "PUT /users/me": async (event) => {
    const { userId, email } = caller(event);
    const { name } = body(event, ["name"]);
    await dynamodb("UpdateItem", {
      TableName: USERS_TABLE,
      Key: toItem({ userId }),
      UpdateExpression: "SET #n = :n, email = if_not_exists(email, :e)",
      ExpressionAttributeNames: { "#n": "name" },
      ExpressionAttributeValues: toItem({ ":n": name, ":e": email ?? "" }),
    });
    return respond(200, { userId, name });
  },
  "GET /users": async (event) => {
    if (!caller(event).groups.includes("admin")) return respond(403, { message: "Forbidden" });
    const page = await dynamodb("Scan", { TableName: USERS_TABLE, Limit: 50 });
    return respond(200, { users: (page.Items ?? []).map(fromItem) });
  },
});
