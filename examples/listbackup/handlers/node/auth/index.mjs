// Sign-up and sign-in through Cognito for the app: SignUp, then AdminInitiateAuth with the
// password the user sends (the pool's "api" client allows it); tokens go back to the caller.
import { AwsError, cognito, dynamodb, toItem } from "../lib/aws.mjs";
import { body, respond, router } from "../lib/http.mjs";

const { USER_POOL_ID, CLIENT_ID, USERS_TABLE, AUTO_CONFIRM } = process.env;

async function register(event) {
  const { email, password, name } = body(event, ["email", "password"]);
  let signedUp;
  try {
    signedUp = await cognito("SignUp", {
      ClientId: CLIENT_ID,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: "email", Value: email }],
    });
  } catch (error) {
    if (error instanceof AwsError && error.status < 500) return respond(400, { message: error.message });
    throw error;
  }
  if (AUTO_CONFIRM === "true") {
    await cognito("AdminConfirmSignUp", { UserPoolId: USER_POOL_ID, Username: email });
  }
  const userId = signedUp.UserSub;
  const now = new Date().toISOString();
  await dynamodb("PutItem", {
    TableName: USERS_TABLE,
    Item: toItem({ userId, email, name: name ?? email, createdAt: now }),
  });
  return respond(201, { userId, confirmed: AUTO_CONFIRM === "true" });
}

async function signIn(flow, parameters) {
  try {
    const answer = await cognito("AdminInitiateAuth", {
      UserPoolId: USER_POOL_ID,
      ClientId: CLIENT_ID,
      AuthFlow: flow,
      AuthParameters: parameters,
    });
    const tokens = answer.AuthenticationResult;
    if (!tokens) return respond(401, { message: `challenge ${answer.ChallengeName} required` });
    return respond(200, {
      idToken: tokens.IdToken,
      accessToken: tokens.AccessToken,
      refreshToken: tokens.RefreshToken,
      expiresIn: tokens.ExpiresIn,
    });
  } catch (error) {
    if (error instanceof AwsError && error.status < 500) return respond(401, { message: "Unauthorized" });
    throw error;
  }
}

export const handler = router({
  "POST /auth/register": register,
  "POST /auth/login": (event) => {
    const { email, password } = body(event, ["email", "password"]);
    return signIn("ADMIN_USER_PASSWORD_AUTH", { USERNAME: email, PASSWORD: password });
  },
  "POST /auth/refresh": (event) => {
    const { refreshToken } = body(event, ["refreshToken"]);
    return signIn("REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });
  },
});
