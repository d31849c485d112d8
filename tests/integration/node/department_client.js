// Calls Portier's department SOAP service with the npm `soap` package, built from the served
// WSDL, authenticated with a WS-Security UsernameToken (PasswordDigest).
//   node department_client.js WSDL_URL USER PASSWORD 1.1|1.2 < calls.json
// calls.json: [{"op": "openBusinessCase", "args": {...}}, ...]. Arguments may refer to an
// earlier result as "$0.businessProcessId". Prints one JSON array: {op, ok, result | fault}.
// A call may say how its request travels as MTOM (the client's forceMTOM): "mtom": "xop" sends
// args.document (base64 text) as a binary part that the envelope refers to with xop:Include;
// "mtom": "inline" keeps the document as base64 text in the root part. The result of such a call
// also says the Content-Type it was sent with.
const soap = require('soap');

function resolve(value, results) {
  if (typeof value === 'string' && value.startsWith('$')) {
    const [index, ...path] = value.slice(1).split('.');
    return path.reduce((v, k) => (v == null ? v : v[k]), results[Number(index)].result);
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results)]));
  }
  return value;
}

// The arguments and request options of a call sent as MTOM. npm soap does not turn a base64
// argument into a part itself: the part is attached and the element given as raw XML.
function as_mtom(args, mtom, index) {
  if (!mtom) return [args, undefined];
  if (mtom === 'inline') return [args, { forceMTOM: true }];
  if (mtom !== 'xop' || typeof args.document !== 'string') throw new Error('bad mtom: ' + mtom);
  const contentId = `document-${index}@portier.test`;
  const include = `<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" ` +
    `href="cid:${encodeURIComponent(contentId)}"/>`;
  const attachment = {
    mimetype: 'application/pdf', contentId, name: 'document.pdf',
    body: Buffer.from(args.document, 'base64'),
  };
  return [{ ...args, document: { $xml: include } }, { forceMTOM: true, attachments: [attachment] }];
}

// The port's methods take a callback; the client's promise-returning `...Async` methods are
// bound to whichever port was defined last, so the port's own method is wrapped here.
function invoke(port, op, args, options) {
  if (typeof port[op] !== 'function') return Promise.reject(new Error('no operation ' + op));
  return new Promise((ok, fail) => port[op](args, (err, result) => (err ? fail(err) : ok(result)),
    options));
}

async function main() {
  const [wsdl, user, password, version] = process.argv.slice(2);
  const calls = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const soap12 = version === '1.2';
  const client = await soap.createClientAsync(wsdl, { forceSoap12Headers: soap12 });
  client.setSecurity(new soap.WSSecurity(user, password, {
    passwordType: 'PasswordDigest', hasTimeStamp: false, hasNonce: true, mustUnderstand: true,
  }));
  const port = client.PortierDepartmentService[soap12 ? 'DepartmentSoap12' : 'DepartmentSoap11'];
  const results = [];
  for (const [index, call] of calls.entries()) {
    try {
      const [args, options] = as_mtom(resolve(call.args, results), call.mtom, index);
      const result = await invoke(port, call.op, args, options);
      const sent = call.mtom ? { contentType: client.lastRequestHeaders['Content-Type'] } : {};
      results.push({ op: call.op, ok: true, result, ...sent });
    } catch (err) {
      const fault = err.root && err.root.Envelope && err.root.Envelope.Body
        ? err.root.Envelope.Body.Fault : null;
      results.push({ op: call.op, ok: false, fault: fault || String(err.message || err) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
