// Checks the portal interface's OpenAPI description and answers recorded against it, with
// libraries nobody here wrote (@apidevtools/swagger-parser, openapi-response-validator).
//   node openapi_check.js OPENAPI_YAML [EXCHANGES_JSON]
// The description must validate as OpenAPI 3.0. EXCHANGES_JSON: [{method, path (as in the
// description, e.g. "/identity-links/{linkId}"), status, contentType, body}]; every body must
// match the response the description gives for that status and content type. Prints each
// mismatch; exits 1 if there is any.
const SwaggerParser = require('@apidevtools/swagger-parser');
const OpenAPIResponseValidator = require('openapi-response-validator').default;

async function main() {
  const [specPath, exchangesPath] = process.argv.slice(2);
  await SwaggerParser.validate(specPath);  // throws on an invalid description
  const api = await SwaggerParser.dereference(specPath);
  if (!exchangesPath) {
    console.log('openapi: valid');
    return 0;
  }
  const exchanges = JSON.parse(require('fs').readFileSync(exchangesPath, 'utf8'));
  let failures = 0;
  for (const x of exchanges) {
    const item = api.paths[x.path];
    const operation = item && item[x.method.toLowerCase()];
    if (!operation) {
      console.log(`${x.method} ${x.path}: not in the description`);
      failures++;
      continue;
    }
    const described = operation.responses[String(x.status)];
    if (!described) {
      console.log(`${x.method} ${x.path} ${x.status}: status not described`);
      failures++;
      continue;
    }
    const mediaType = (x.contentType || '').split(';')[0].trim();
    if (described.content && !described.content[mediaType]) {
      console.log(`${x.method} ${x.path} ${x.status}: content type ${mediaType} not described`);
      failures++;
      continue;
    }
    // The validator reads one schema per status: give it the one for this content type.
    const responses = {[x.status]: {description: described.description,
      content: {'application/json': described.content ? described.content[mediaType] : {}}}};
    const validator = new OpenAPIResponseValidator({responses, components: api.components});
    const error = validator.validateResponse(x.status, x.body);
    if (error) {
      console.log(`${x.method} ${x.path} ${x.status}: ${JSON.stringify(error.errors)}`);
      failures++;
    }
  }
  console.log(`openapi: ${exchanges.length} answers checked, ${failures} not as described`);
  return failures ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.log('openapi: ' + err.message);
  process.exit(1);
});
