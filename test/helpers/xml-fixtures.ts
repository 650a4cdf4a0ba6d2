/** Agent output that must be refused, shared by the validator, import and over-SSH tests. */

/** Well-formed, but line 7 breaks HostingPlatform.xsd (an attribute `typ` instead of `type`). */
export const SCHEMA_BREAKING_XML = `<?xml version="1.0"?>
<hostingPlatform apiVersion="2">
  <platform kind="linux"/>
  <servers/>
  <serviceTemplates/>
  <accounts>
    <account id="a1" typ="customer"/>
  </accounts>
  <subscriptions/>
  <domains/>
</hostingPlatform>
`;

/** An entity-expansion ("billion laughs") document: its DOCTYPE is on line 2. */
export const BILLION_LAUGHS_XML = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<hostingPlatform apiVersion="2"><platform kind="&lol9;"/></hostingPlatform>
`;
