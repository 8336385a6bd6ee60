using System.Buffers;

namespace Zenith.Core.Mapping;

/// <summary>What a sub-document's key looks like: a field name, or data (an id, a number, a date, a code).</summary>
public enum KeyShape
{
    /// <summary>A field name.</summary>
    Word,

    /// <summary>A generated id: 24-hex ObjectId, a hex string of 16+ digits, a UUID, a random token, an e-mail address.</summary>
    Id,

    /// <summary>An integer or decimal number.</summary>
    Number,

    /// <summary>An ISO date or month (<c>2024-05-01</c>, <c>2024-05</c>, <c>2024-05-01T10:00:00Z</c>).</summary>
    Date,

    /// <summary>A 2–3 letter language, country or currency code (ISO 639, 3166, 4217) or a locale tag (<c>pt-BR</c>).</summary>
    Code,
}

/// <summary>
/// Classifies sub-document keys, for the map decision: keys that are data rather than field names make a sub-document a map.
/// The code lists are the common ISO 639-1/639-2 language, ISO 3166-1 country and ISO 4217 currency codes; a key set is taken
/// for codes only when most of its keys are on them, so short field names (<c>min</c>, <c>max</c>, <c>lng</c>) stay fields.
/// </summary>
public static class KeyShapes
{
    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly SearchValues<char> Token = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-");

    // ISO 639-1, then common ISO 639-2/639-3 codes (as the countries of the world use them), ISO 3166-1 alpha-3, ISO 4217.
    private const string CodeList =
        "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy "
        + "ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt "
        + "lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn "
        + "so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu "
        + "afr amh ara arg asm aym aze bak bar bel ben bis bod bos bre bul cal cat ces cha che chv ckb cor cos cre crs cym dan deu div dzo ell eng epo est eus "
        + "ewe fao fas fij fil fin fra fry ful gil gla gle glg grn gsw guj hat hau heb her hif hin hmo hrv hun hye ibo ind isl ita jam jav jpn kal kan kat kaz "
        + "khm kin kir kon kor kur lao lat lav lin lit ltz lua mah mal mar mfe mkd mlg mlt mon mri msa mya nau nbl nde nep nfr nld nno nob nor nrf nso nya pap "
        + "pau pih pol por pov pus que rar roh ron run rus sag san sin slk slv sme smo sna snd som sot spa sqi srd srp ssw swa swe tam tat tel tet tgk tha tir "
        + "ton tpi tsn tso tuk tur tvl twi uig ukr urd uzb ven vie wln wol xho yid yor zdj zho zib zul "
        + "abw afg ago aia ala alb and are arm asm ata atf atg aus aut bdi bel ben bes bfa bgd bhr bhs bih blm blr blz bmu bol bra brb brn btn bvt bwa caf can "
        + "cck che chl chn civ cmr cod cog cok col com cpv cri cub cuw cxr cym cyp cze dji dma dnk dom dza ecu egy eri esh esp est eth fin fji flk fra fro fsm "
        + "gab gbr geo ggy gha gib gin glp gmb gnb gnq grc grd grl gtm guf gum guy hkg hmd hnd hrv hti hun idn imn ind iot irl irn irq isl isr ita jam jey jor "
        + "jpn kaz ken kgz khm kir kna kor kwt lao lbn lbr lby lca lie lka lso ltu lux lva mac maf mar mco mda mdg mdv mex mhl mkd mli mlt mmr mne mng mnp moz "
        + "mrt msr mtq mus mwi mys myt nam ncl ner nfk nga nic niu nld nor npl nru nzl omn pak pan pcn per phl plw png pol pri prk prt pry pse pyf qat reu rou "
        + "rus rwa sau sdn sen sgp sgs shn sjm slb sle slv smr som spm srb ssd stp sur svk svn swe swz sxm syc syr tca tcd tgo tha tjk tkl tkm tls ton tto tun "
        + "tur tuv twn tza uga ukr umi ury usa uzb vat vct ven vgb vir vnm vut wlf wsm yem zaf zmb zwe "
        + "aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd btn bwp byn bzd cad cdf chf ckd clp cny cop crc cuc cup cve czk "
        + "djf dkk dop dzd egp ern etb eur fjd fkp fok gbp gel ggp ghs gip gmd gnf gtq gyd hkd hnl htg huf idr ils imp inr iqd irr isk jep jmd jod jpy kes kgs "
        + "khr kid kmf kpw krw kwd kyd kzt lak lbp lkr lrd lsl lyd mad mdl mga mkd mmk mnt mop mru mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen "
        + "pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sdg sek sgd shp sle sll sos srd ssp stn syp szl thb tjs tmt tnd top try ttd tvd twd tzs uah "
        + "ugx usd uyu uzs ves vnd vuv wst xaf xcd xof xpf yer zar zmw zwl "
        + "ad ag ai al ao aq at au aw ax bb bd bf bh bj bl bq bt bv bw by bz cc cd cf cg ci ck cl cm cn cw cx cz dj dk dm do dz ec eg eh er fk fm gb gf gg gh "
        + "gi gm gp gq gr gs gt gw gy hk hm hn im in iq ir je jm jo jp ke kh km kp kw kz lc lk lr ls ly ma mc md me mf mm mo mp mq ms mu mv mw mx mz nc nf ni "
        + "np nu nz pe pf pg ph pk pm pn pr pw py qa re rs sb sh sj sx sy sz tc td tf tj tm tz ua um us uy va vc vg vn vu wf ws ye yt zm zw";

    private static readonly HashSet<string> Codes = new(CodeList.Split(' '), StringComparer.OrdinalIgnoreCase);

    public static KeyShape Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var span = key.AsSpan();
        if (span.Length == 0)
        {
            return KeyShape.Word;
        }

        if (IsNumber(span))
        {
            return KeyShape.Number;
        }

        if (IsDate(span))
        {
            return KeyShape.Date;
        }

        if ((span.Length >= 16 && !span.ContainsAnyExcept(Hex)) || IsUuid(span) || span.Contains('@')
            || (span.Length >= 20 && !span.ContainsAnyExcept(Token) && DigitCount(span) >= 3))
        {
            return KeyShape.Id;
        }

        return IsLocale(span) || (span.Length is 2 or 3 && IsLetters(span) && Codes.Contains(key)) ? KeyShape.Code : KeyShape.Word;
    }

    /// <summary>True for a key 2–3 letters long (a code candidate), or a locale tag, whether or not it is on the lists.</summary>
    public static bool LooksLikeCode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (key.Length is 2 or 3 && IsLetters(key)) || IsLocale(key);
    }

    private static int DigitCount(ReadOnlySpan<char> span)
    {
        var count = 0;
        foreach (var c in span)
        {
            count += char.IsAsciiDigit(c) ? 1 : 0;
        }

        return count;
    }

    private static bool IsLetters(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        // Codes are written all lower or all upper case; a mixed one ("Id", "eN") is a word.
        var lower = true;
        var upper = true;
        foreach (var c in span)
        {
            lower &= char.IsAsciiLetterLower(c);
            upper &= char.IsAsciiLetterUpper(c);
        }

        return lower || upper;
    }

    private static bool IsNumber(ReadOnlySpan<char> span)
    {
        var i = span[0] == '-' ? 1 : 0;
        var digits = 0;
        var dot = false;
        for (; i < span.Length; i++)
        {
            if (char.IsAsciiDigit(span[i]))
            {
                digits++;
            }
            else if (span[i] == '.' && !dot && digits > 0)
            {
                dot = true;
            }
            else
            {
                return false;
            }
        }

        return digits > 0 && span[^1] != '.';
    }

    /// <summary><c>yyyy-MM</c>, <c>yyyy-MM-dd</c>, and an ISO date-time starting with one.</summary>
    private static bool IsDate(ReadOnlySpan<char> span) =>
        span.Length >= 7 && AllDigits(span[..4]) && span[4] == '-' && AllDigits(span.Slice(5, 2))
        && (span.Length == 7 || (span.Length >= 10 && span[7] == '-' && AllDigits(span.Slice(8, 2)) && (span.Length == 10 || span[10] is 'T' or ' ')));

    private static bool IsUuid(ReadOnlySpan<char> span) =>
        span.Length == 36 && span[8] == '-' && span[13] == '-' && span[18] == '-' && span[23] == '-'
        && !span[..8].ContainsAnyExcept(Hex) && !span[24..].ContainsAnyExcept(Hex);

    private static bool IsLocale(ReadOnlySpan<char> span)
    {
        var cut = span.IndexOfAny('-', '_');
        return cut is 2 or 3 && span.Length - cut - 1 is >= 2 and <= 4 && IsLetters(span[..cut]) && Codes.Contains(span[..cut].ToString())
            && (IsLetters(span[(cut + 1)..]) || AllDigits(span[(cut + 1)..]));
    }

    private static bool AllDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return span.Length > 0;
    }
}
