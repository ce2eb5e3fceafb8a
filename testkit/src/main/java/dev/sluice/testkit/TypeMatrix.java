package dev.sluice.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every column type PostgreSQL has (base, range and multirange types of {@code pg_catalog}), the
 * common extensions' types ({@code citext}, {@code hstore}, {@code ltree}, {@code isn}), and user
 * types of each kind (enum, domain, composite, range with its multirange), each with values chosen
 * to break a copy: limits, special values, empty values, NULL, unicode beyond the BMP, quoting
 * characters, BC dates, {@code 24:00}, array dimensions and bounds.
 *
 * <p>Each type gets a table of its own, {@code m_<name>(id int PRIMARY KEY, v <type>)}, one row per
 * value, so that a value a target refuses is known by its table and row. SQL only: the matrix
 * serves capture's and apply's tests alike.
 */
public final class TypeMatrix {
  private TypeMatrix() {}

  /**
   * One type and its values.
   *
   * @param name the table's suffix
   * @param type the column type as written in {@code CREATE TABLE}
   * @param values SQL literals (with their casts where a literal needs one), one row each
   * @param snapshotOnly literals the engine cannot decode when streamed (read by snapshots only)
   */
  public record Type(String name, String type, List<String> values, List<String> snapshotOnly) {
    public Type {
      values = List.copyOf(values);
      snapshotOnly = List.copyOf(snapshotOnly);
    }

    public String table() {
      return "m_" + name;
    }
  }

  /** Extensions, user types and a trigram index; run once in a fresh database. */
  public static final List<String> SETUP =
      List.of(
          "CREATE EXTENSION citext",
          "CREATE EXTENSION hstore",
          "CREATE EXTENSION ltree",
          "CREATE EXTENSION isn",
          "CREATE EXTENSION pg_trgm",
          "CREATE TYPE mood AS ENUM ('sad', 'ok', 'it''s \"happy\"', '😀')",
          "CREATE DOMAIN positive_amount AS numeric(12,2) CONSTRAINT positive CHECK (VALUE > 0)",
          "CREATE DOMAIN short_code AS varchar(8) DEFAULT 'x' CHECK (VALUE <> '')",
          "CREATE DOMAIN moods AS mood[]",
          "CREATE TYPE complex AS (r float8, i float8)",
          "CREATE TYPE \"Odd Type\" AS (m mood, c complex, tags text[], amount positive_amount)",
          "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi)");

  private static Type type(String name, String type, String... values) {
    return new Type(name, type, List.of(values), List.of());
  }

  private static Type snapshotOnly(Type type, String... values) {
    return new Type(type.name(), type.type(), type.values(), List.of(values));
  }

  /** The matrix. */
  public static List<Type> types() {
    List<Type> types = new ArrayList<>();
    types.add(type("bool", "boolean", "true", "false", "NULL"));
    types.add(type("int2", "smallint", "-32768", "32767", "0"));
    types.add(type("int4", "integer", "-2147483648", "2147483647"));
    types.add(type("int8", "bigint", "-9223372036854775808", "9223372036854775807"));
    types.add(
        type(
            "float4",
            "real",
            "'NaN'",
            "'Infinity'",
            "'-Infinity'",
            "'-0'",
            "'3.4028235e38'",
            "'1.4e-45'",
            "'0.1'"));
    types.add(
        type(
            "float8",
            "double precision",
            "'NaN'",
            "'-Infinity'",
            "'-0'",
            "'1.7976931348623157e308'",
            "'5e-324'",
            "'0.1'"));
    types.add(
        type(
            "numeric",
            "numeric",
            "'NaN'",
            "'Infinity'",
            "'-Infinity'",
            "'1.500'",
            "'-0.000'",
            "'123456789012345678901234567890.0123456789'",
            "'0.000000000000000000000000000000000000001'",
            "'1e130'"));
    types.add(type("numeric_10_3", "numeric(10,3)", "'1.5'", "'-9999999.999'", "'0'"));
    types.add(
        type("money", "money", "'-92233720368547758.08'", "'92233720368547758.07'", "'0.01'"));
    types.add(
        type(
            "text",
            "text",
            "''",
            "'quote''s \"double\" \\back\\slash'",
            "'four-byte 😀 and ümlaut'",
            "E'line\\nbreak\\ttab\\r'",
            "'NULL'",
            "'  spaces  '"));
    types.add(type("varchar", "character varying(20)", "''", "'😀😀😀'", "'trailing '"));
    types.add(type("bpchar", "character(3)", "'ab'", "'   '", "'😀'", "''"));
    types.add(type("char", "\"char\"", "'x'", "'\\'", "'\"'"));
    types.add(type("name", "name", "'na\"me'", "'😀'", "''"));
    types.add(type("bytea", "bytea", "'\\x'", "'\\x00ff0a5c27'", "'\\x5f5f736c756963655f5f'"));
    types.add(
        type(
            "json",
            "json",
            "'{\"b\": 1, \"a\": [1, 2.50, 1e400]}'",
            "'\"😀\"'",
            "'null'",
            "'  [ ]  '",
            "'{\"a\": 1, \"a\": 2}'"));
    types.add(
        type(
            "jsonb",
            "jsonb",
            "'{\"b\": {\"c\": null}, \"a\": 1.50}'",
            "'[]'",
            "'\"quote\\\"s\"'",
            "'1e400'",
            "'{\"é\": \"😀\"}'"));
    types.add(type("xml", "xml", "'<a x=\"1\">é😀</a>'", "'text only'", "''"));
    types.add(
        type(
            "uuid",
            "uuid",
            "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
            "'00000000-0000-0000-0000-000000000000'"));
    types.add(
        type(
            "date",
            "date",
            "'0044-03-15 BC'",
            "'4713-01-01 BC'",
            "'0001-12-31 BC'",
            "'infinity'",
            "'-infinity'",
            "'5874897-12-31'",
            "'0001-01-01'",
            "'2026-02-28'"));
    types.add(
        type(
            "time",
            "time",
            "'24:00:00'",
            "'00:00:00'",
            "'23:59:59.999999'",
            "'12:00:00.5'",
            "'10:15'"));
    types.add(type("time_0", "time(0)", "'23:59:59'", "'24:00:00'"));
    types.add(
        snapshotOnly(
            type(
                "timetz",
                "time with time zone",
                "'10:15:30.123456+05:30'",
                "'23:59:59.999999-15:59'",
                "'24:00:00+00'",
                "'00:00:00+15:59'"),
            "'10:00:00+05:30:15'"));
    types.add(
        type(
            "timestamp",
            "timestamp",
            "'294276-12-31 23:59:59.999999'",
            "'4713-01-01 00:00:00 BC'",
            "'0044-03-15 10:00:00 BC'",
            "'infinity'",
            "'-infinity'",
            "'2026-11-20 10:15:30.123456'",
            "'1970-01-01 00:00:00'",
            "'9999-12-31 23:59:59.999999'"));
    types.add(
        type(
            "timestamptz",
            "timestamp with time zone",
            "'294276-12-31 23:59:59.999999+00'",
            "'4713-01-01 00:00:00+00 BC'",
            "'infinity'",
            "'-infinity'",
            "'2026-11-20 10:15:30.654321+05:30'",
            "'1900-01-01 00:00:00+00:19:32'"));
    types.add(type("timestamp_3", "timestamp(3) without time zone", "'2026-11-20 10:15:30.123'"));
    types.add(
        snapshotOnly(
            type(
                "interval",
                "interval",
                "'infinity'",
                "'-infinity'",
                "'0 seconds'",
                "'1 year -2 mons 3 days -04:05:06.000001'",
                "'-178956970 years -8 mons -2147483648 days -2147483647:00:54.775807'",
                "'2147483647 hours'"),
            "'2147483648 hours'",
            "'-178956970 years -8 mons -2147483648 days -2562047788:00:54.775807'"));
    types.add(type("interval_ym", "interval year to month", "'-1 year -2 mons'", "'0 mons'"));
    types.add(type("point", "point", "'(1.5,-0)'", "'(NaN,Infinity)'", "'(1e300,-1e-300)'"));
    types.add(type("lseg", "lseg", "'[(1,2),(3,4)]'"));
    types.add(type("path", "path", "'[(0,0),(1,1),(2,0)]'", "'((0,0),(0.1,0.2))'"));
    types.add(type("box", "box", "'(3,4),(1,2)'", "'(0,0),(0,0)'"));
    types.add(type("polygon", "polygon", "'((0,0),(1,1),(1,0))'"));
    types.add(type("line", "line", "'{1,2,3}'", "'{-0,1,0}'"));
    types.add(type("circle", "circle", "'<(0,0),1e300>'", "'<(1.5,2.5),0>'"));
    types.add(
        type("inet", "inet", "'192.168.0.1/24'", "'10.0.0.1'", "'::1'", "'::ffff:1.2.3.4/128'"));
    types.add(type("cidr", "cidr", "'10.0.0.0/8'", "'::/0'"));
    types.add(type("macaddr", "macaddr", "'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'"));
    types.add(type("macaddr8", "macaddr8", "'08:00:2b:01:02:03:04:05'"));
    types.add(type("bit", "bit(4)", "B'1010'", "B'0000'"));
    types.add(
        type("varbit", "bit varying", "B''", "B'1'", "B'0101010101010101010101010101010101'"));
    types.add(type("tsvector", "tsvector", "'a:1 b:2 ''quote''''s'':3'", "''"));
    types.add(type("tsquery", "tsquery", "'a & !b | c:*'", "'''x y'''"));
    types.add(
        type("jsonpath", "jsonpath", "'$.a[*] ? (@ > 1)'", "'strict $.\"key with \\\"quote\"'"));
    types.add(type("pg_lsn", "pg_lsn", "'0/0'", "'FFFFFFFF/FFFFFFFF'"));
    types.add(type("oid", "oid", "0", "4294967295"));
    types.add(type("tid", "tid", "'(0,1)'", "'(4294967295,65535)'"));
    types.add(type("xid", "xid", "'0'", "'4294967295'"));
    types.add(type("cid", "cid", "'0'", "'4294967295'"));
    types.add(type("xid8", "xid8", "'0'", "'18446744073709551615'"));
    types.add(type("pg_snapshot", "pg_snapshot", "'10:20:10,14,15'"));
    types.add(type("txid_snapshot", "txid_snapshot", "'10:20:10,14,15'"));
    types.add(type("refcursor", "refcursor", "'my cursor'"));
    types.add(type("aclitem", "aclitem", "'=r/postgres'"));
    types.add(type("int2vector", "int2vector", "'1 2'", "''"));
    types.add(type("oidvector", "oidvector", "'1 2'"));
    types.add(type("regclass", "regclass", "'pg_class'"));
    types.add(type("regcollation", "regcollation", "'\"C\"'"));
    types.add(type("regconfig", "regconfig", "'english'"));
    types.add(type("regdictionary", "regdictionary", "'simple'"));
    types.add(type("regnamespace", "regnamespace", "'pg_catalog'"));
    types.add(type("regoper", "regoper", "'||/'"));
    types.add(type("regoperator", "regoperator", "'+(integer,integer)'"));
    types.add(type("regproc", "regproc", "'now'"));
    types.add(type("regprocedure", "regprocedure", "'sum(integer)'"));
    types.add(type("regrole", "regrole", "'postgres'"));
    types.add(type("regtype", "regtype", "'integer[]'"));
    types.add(type("int4range", "int4range", "'[1,5)'", "'empty'", "'(,)'"));
    types.add(type("int8range", "int8range", "'[-9223372036854775808,9223372036854775807)'"));
    types.add(type("numrange", "numrange", "'[1.50,NaN]'", "'(,2.500)'"));
    types.add(type("tsrange", "tsrange", "'[\"0044-03-15 00:00:00 BC\",infinity)'"));
    types.add(
        type(
            "tstzrange", "tstzrange", "'[\"2026-01-01 00:00:00+02\",\"2026-01-02 00:00:00+02\")'"));
    types.add(
        type("daterange", "daterange", "'[2026-01-01,2026-01-05]'", "'(-infinity,infinity)'"));
    types.add(type("int4multirange", "int4multirange", "'{}'", "'{[1,3),[5,7)}'"));
    types.add(type("int8multirange", "int8multirange", "'{[1,2)}'"));
    types.add(type("nummultirange", "nummultirange", "'{[1.5,2.5], (3,)}'"));
    types.add(type("tsmultirange", "tsmultirange", "'{[2026-01-01,2026-01-02)}'"));
    types.add(type("tstzmultirange", "tstzmultirange", "'{[\"2026-01-01 00:00+02\",)}'"));
    types.add(
        type("datemultirange", "datemultirange", "'{[2026-01-01,2026-01-05), [2026-02-01,)}'"));
    types.add(type("citext", "citext", "'MiXeD 😀'", "''"));
    types.add(
        type("hstore", "hstore", "'a=>\"1\", \"b c\"=>NULL, \"\"=>\"\", \"q\"=>\"\\\"\"'", "''"));
    types.add(type("ltree", "ltree", "'Top.Child_1'", "''"));
    types.add(type("isbn13", "isbn13", "'978-0-306-40615-7'"));
    types.add(type("ean13", "ean13", "'0036000291452'"));
    types.add(type("upc", "upc", "'036000291452'"));
    types.add(type("issn", "issn", "'0317-8471'"));
    types.add(type("enum", "mood", "'sad'", "'it''s \"happy\"'", "'😀'"));
    types.add(type("domain", "positive_amount", "'0.01'", "'9999999999.99'"));
    types.add(type("domain_text", "short_code", "'😀 code'"));
    types.add(type("composite", "complex", "'(1.5,-0)'", "'(,)'", "ROW(NULL, 'NaN')::complex"));
    types.add(
        type(
            "composite_nested",
            "\"Odd Type\"",
            "ROW('sad', ROW(1, 2), '{\"a,b\",NULL}', 1.50)::\"Odd Type\""));
    types.add(type("user_range", "floatrange", "'[1.5,Infinity)'", "'empty'"));
    types.add(type("user_multirange", "floatmultirange", "'{[1,2),[3,4)}'"));
    types.add(
        type(
            "int_array",
            "integer[]",
            "'[0:2]={1,2,3}'",
            "'{{1,2},{3,NULL}}'",
            "'{}'",
            "'{NULL}'",
            "'[-5:-4][2:3]={{1,2},{3,4}}'"));
    types.add(type("int_array_2d", "integer[][]", "'{{1,2},{3,4}}'"));
    types.add(
        type(
            "text_array",
            "text[]",
            "'{\"a,b\",\"\\\"q\\\"\",NULL,\"NULL\",\"\",\"😀\",\"back\\\\slash\"}'"));
    types.add(type("enum_array", "mood[]", "'{sad,NULL,\"it''s \\\"happy\\\"\"}'"));
    types.add(type("domain_array", "moods", "'{ok,sad}'"));
    types.add(type("numeric_array", "numeric[]", "'{NaN,1.50,-0,Infinity,-Infinity}'"));
    types.add(type("float8_array", "float8[]", "'{NaN,-0,Infinity,1e300}'"));
    types.add(type("bool_array", "boolean[]", "'{t,f,NULL}'"));
    types.add(
        type(
            "timestamptz_array",
            "timestamptz[]",
            "'{\"2026-01-01 10:00+02\",-infinity,NULL,\"0044-03-15 10:00:00+00 BC\"}'"));
    types.add(type("date_array", "date[]", "'{\"0044-03-15 BC\",infinity,2026-11-20}'"));
    types.add(type("time_array", "time[]", "'{24:00:00,12:00:00.5}'"));
    types.add(type("interval_array", "interval[]", "'{\"1 year\",infinity,\"-2147483648 days\"}'"));
    types.add(type("box_array", "box[]", "'{(3,4),(1,2);(1,1),(0,0)}'"));
    types.add(type("bytea_array", "bytea[]", "'{\"\\\\x00ff\",NULL}'"));
    types.add(type("jsonb_array", "jsonb[]", "ARRAY['{\"a\": 1}'::jsonb, 'null'::jsonb]"));
    types.add(type("uuid_array", "uuid[]", "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"));
    types.add(type("composite_array", "complex[]", "ARRAY['(1,2)'::complex, NULL]"));
    types.add(type("citext_array", "citext[]", "'{A,b}'"));
    return types;
  }

  /**
   * The base, range and multirange types of {@code pg_catalog} that the matrix need not cover:
   * those a table column cannot be given a value of (internal, statistics and index summaries).
   */
  public static final Set<String> NOT_COLUMN_TYPES =
      Set.of(
          "gtsvector",
          "pg_brin_bloom_summary",
          "pg_brin_minmax_multi_summary",
          "pg_dependencies",
          "pg_mcv_list",
          "pg_ndistinct",
          "pg_node_tree");

  /**
   * The SQL of {@code pg_catalog}'s base, range and multirange type names (int2vector and oidvector
   * included), to check the matrix covers them.
   */
  public static final String CATALOG_TYPES =
      "SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace"
          + " AND typtype IN ('b', 'r', 'm') AND typisdefined"
          + " AND (typcategory <> 'A' OR typname IN ('int2vector', 'oidvector')) ORDER BY 1";

  /** Statements creating the matrix's tables, each {@code (id int PRIMARY KEY, v <type>)}. */
  public static List<String> createTables() {
    return types().stream()
        .map(t -> "CREATE TABLE " + t.table() + " (id int PRIMARY KEY, v " + t.type() + ")")
        .collect(Collectors.toList());
  }

  /**
   * Inserts each type's values, one row each with ids from {@code firstId}, a row of NULL after
   * them, and the snapshot-only values after that when {@code snapshot}.
   */
  public static List<String> inserts(int firstId, boolean snapshot) {
    List<String> statements = new ArrayList<>();
    for (Type type : types()) {
      List<String> values = new ArrayList<>(type.values());
      values.add("NULL");
      if (snapshot) {
        values.addAll(type.snapshotOnly());
      }
      StringBuilder sql = new StringBuilder("INSERT INTO " + type.table() + " VALUES ");
      for (int i = 0; i < values.size(); i++) {
        sql.append(i > 0 ? ", " : "")
            .append('(')
            .append(firstId + i)
            .append(", ")
            .append(values.get(i))
            .append(')');
      }
      statements.add(sql.toString());
    }
    return statements;
  }

  /**
   * Updates the rows {@link #inserts} wrote from {@code firstId} (not the snapshot-only ones) each
   * to the value of the row before it (the first to the last one's), so that each value is also
   * written by an update.
   */
  public static List<String> rotations(int firstId) {
    List<String> statements = new ArrayList<>();
    for (Type type : types()) {
      String table = type.table();
      String rows = "id BETWEEN " + firstId + " AND " + (firstId + type.values().size());
      statements.add(
          "UPDATE "
              + table
              + " t SET v = s.v FROM (SELECT id, lag(v, 1, (SELECT l.v FROM "
              + table
              + " l WHERE l."
              + rows
              + " ORDER BY l.id DESC LIMIT 1)) OVER (ORDER BY id) AS v FROM "
              + table
              + " WHERE "
              + rows
              + ") s WHERE t.id = s.id");
    }
    return statements;
  }

  /**
   * A query of a matrix table's rows as the text of their type's output function ({@code ::text}
   * differs for some types), by id; {@code money} as its plain decimal.
   */
  public static String textQuery(String table) {
    return "SELECT 'SELECT id, ' || CASE WHEN a.atttypid = 'money'::regtype THEN 'v::numeric::text'"
        + " ELSE quote_ident(pn.nspname) || '.' || quote_ident(p.proname) || '(v'"
        + " || CASE WHEN p.proargtypes[0] = a.atttypid OR at.typtype = 'p' THEN ''"
        + " ELSE '::' || format_type(p.proargtypes[0], NULL) END || ')::text' END"
        + " || ' FROM "
        + table
        + " ORDER BY id' FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        + " JOIN pg_proc p ON p.oid = t.typoutput JOIN pg_type at ON at.oid = p.proargtypes[0]"
        + " JOIN pg_namespace pn ON pn.oid = p.pronamespace"
        + " WHERE a.attrelid = '"
        + table
        + "'::regclass AND a.attname = 'v'";
  }
}
